using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Toolkit;

/// <summary>Issue 13 item 1 in the core (console addresses): blocks, their end, who may lift them, and the per-person rate limits.</summary>
public abstract class BlockAndLimitTests(Store store) : IDisposable
{
    private const string Disclosure = "My coach Marmalade keeps messaging me at night";
    private const string Danger = "honestly I want to kill myself tonight";
    private readonly CoreHarness _core = new(store: store, settings: new Dictionary<string, string?>
    {
        ["Support:DirectMessagesPerMinute"] = "4",
        ["Support:UrgentAlertsPerHour"] = "1",
    });

    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");
    private readonly Actor _sam = Say.Volunteer("sam");
    private readonly Actor _cora = Say.Volunteer("cora") with { IsCoordinator = true };

    public void Dispose() => _core.Dispose();

    private SupportBot.Core.Content.Messages Messages => _core.Content.Messages;

    [StoreFact]
    public async Task A_block_closes_the_conversation_and_the_persons_next_message_gets_one_calm_answer_and_reaches_nobody()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);

        var block = await _core.Bot.HandleAsync(Say.Command(_vol, "block", id.ToString(), "2d", "paged again and again"), default);

        var answer = block.OnlyTo(_vol).Text();
        Assert.Contains($"#{id}", answer, StringComparison.Ordinal);
        Assert.Contains("2026-11-25 12:00 UTC", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", block.AllText(), StringComparison.Ordinal);
        Assert.Contains(block.ForVolunteerChannel(), r => r.Text().Contains($"#{id}", StringComparison.Ordinal));
        Assert.Empty(await _core.Get<ConversationStore>().QueueAsync(default));

        var first = await _core.Bot.HandleAsync(Say.Dm(_alice, "why is nobody answering"), default);
        var second = await _core.Bot.HandleAsync(Say.Dm(_alice, "hello?"), default);

        Assert.Equal(Messages.BlockedNotice, first.DmTo(_alice).Text().Trim());
        Assert.Single(first);
        Assert.Empty(second);
        Assert.Null(await _core.Get<ConversationStore>().FindOpenAsync(_alice.Address, default));
        Assert.Contains((await _core.Get<ConversationStore>().AuditTrailAsync(id, default)), a => a.Action == "block");
        Assert.DoesNotContain("paged again", _core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Console:alice", _core.Logs.AllText, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_blocked_person_who_writes_of_danger_still_gets_the_crisis_lines()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "block", id.ToString()), default);
        await _core.Bot.HandleAsync(Say.Dm(_alice, "hello"), default);

        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, Danger), default);

        Assert.Contains(_core.Content.Crisis.Countries[0].Lines[0].Name, replies.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Empty(replies.ForVolunteerChannel());
    }

    [StoreFact]
    public async Task A_block_ends_by_itself_and_the_person_can_write_again()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "block", id.ToString(), "3h"), default);
        Assert.Single(await _core.Bot.HandleAsync(Say.Dm(_alice, "still there?"), default));

        _core.Clock.Advance(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1));
        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, "I'd like to talk again"), default);

        Assert.Contains(Messages.ConsentQuestion, replies.DmTo(_alice).Text(), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_duration_left_out_makes_the_words_the_reason_and_the_default_week_applies()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);

        await _core.Bot.HandleAsync(Say.Command(_vol, "block", id.ToString(), "kept sending insults"), default);
        var list = await _core.Bot.HandleAsync(Say.Command(_cora, "blocks"), default);

        var text = list.OnlyTo(_cora).Text();
        Assert.Contains("kept sending insults", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-30 12:00 UTC", text, StringComparison.Ordinal);
        Assert.Contains("set by vol", text, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Only_the_volunteer_who_blocked_or_a_coordinator_can_lift_a_block_and_only_coordinators_list_them()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "block", id.ToString()), default);

        var bySam = await _core.Bot.HandleAsync(Say.Command(_sam, "unblock", id.ToString()), default);
        var samList = await _core.Bot.HandleAsync(Say.Command(_sam, "blocks"), default);
        var byAlice = await _core.Bot.HandleAsync(Say.Command(_alice, "unblock", id.ToString()), default);
        Assert.Contains("coordinator can lift", bySam.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(Messages.NotCoordinator, samList.Single().Text().Trim());
        Assert.Equal(Messages.NotVolunteer, byAlice.Single().Text().Trim());

        var list = await _core.Bot.HandleAsync(Say.Command(_cora, "blocks"), default);
        var lift = list.OnlyTo(_cora).Choices().Single(c => c.ActionId == $"unblock:{id}");
        var lifted = await _core.Bot.HandleAsync(Say.Press(_cora, lift.ActionId), default);

        Assert.Contains("lifted", lifted.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(Messages.BlocksEmpty, (await _core.Bot.HandleAsync(Say.Command(_cora, "blocks"), default)).Single().Text().Trim());
        Assert.Contains(Messages.ConsentQuestion, (await _core.Bot.HandleAsync(Say.Dm(_alice, "hi again"), default)).DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Contains((await _core.Get<ConversationStore>().AuditTrailAsync(id, default)), a => a.Action == "unblock");
    }

    [StoreFact]
    public async Task The_volunteer_who_blocked_can_lift_it_and_a_bad_number_gets_a_clear_answer()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "block", id.ToString()), default);

        var again = await _core.Bot.HandleAsync(Say.Command(_vol, "block", id.ToString()), default);
        var lifted = await _core.Bot.HandleAsync(Say.Command(_vol, "unblock", $"#{id}"), default);
        var nothing = await _core.Bot.HandleAsync(Say.Command(_vol, "unblock", id.ToString()), default);
        var unknown = await _core.Bot.HandleAsync(Say.Command(_vol, "block", "999"), default);
        var garbage = await _core.Bot.HandleAsync(Say.Command(_vol, "block", "soon"), default);

        Assert.Contains("already blocked", again.Single().Text(), StringComparison.Ordinal);
        Assert.Contains("lifted", lifted.Single().Text(), StringComparison.Ordinal);
        Assert.Contains("Nobody behind", nothing.Single().Text(), StringComparison.Ordinal);
        Assert.Contains("#999", unknown.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(Messages.BlockUsage, garbage.Single().Text().Trim());
    }

    [StoreFact]
    public async Task A_person_writing_too_fast_is_asked_once_to_slow_down_and_nothing_more_is_stored_while_others_go_on()
    {
        var bea = Say.Member("bea");
        for (var i = 0; i < 4; i++)
        {
            Assert.NotEmpty(await _core.Bot.HandleAsync(Say.Dm(_alice, $"message {i}"), default));
        }

        var over = await _core.Bot.HandleAsync(Say.Dm(_alice, "one more"), default);
        var further = await _core.Bot.HandleAsync(Say.Dm(_alice, "and another"), default);
        var other = await _core.Bot.HandleAsync(Say.Dm(bea, "hello"), default);

        Assert.Equal(Messages.SlowDown, over.DmTo(_alice).Text().Trim());
        Assert.Empty(further);
        Assert.Contains(Messages.ConsentQuestion, other.DmTo(bea).Text(), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_minute_after_being_asked_to_slow_down_the_persons_messages_are_taken_again_and_a_new_flood_is_answered_once_more()
    {
        for (var i = 0; i < 4; i++)
        {
            await _core.Bot.HandleAsync(Say.Dm(_alice, $"message {i}"), default);
        }

        Assert.Equal(Messages.SlowDown, (await _core.Bot.HandleAsync(Say.Dm(_alice, "one more"), default)).DmTo(_alice).Text().Trim());
        _core.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await _core.Bot.HandleAsync(Say.Dm(_alice, "still too soon"), default));

        _core.Clock.Advance(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 4; i++)
        {
            var taken = await _core.Bot.HandleAsync(Say.Dm(_alice, $"later {i}"), default);
            Assert.DoesNotContain(Messages.SlowDown, taken.AllText(), StringComparison.Ordinal);
        }

        Assert.Equal(Messages.SlowDown, (await _core.Bot.HandleAsync(Say.Dm(_alice, "too fast again"), default)).DmTo(_alice).Text().Trim());
        var stored = await StoredTranscript.ReadAsync(_core.Get<ConversationStore>(), _alice.Address, _vol.Address);
        Assert.Equal(
            ["message 0", "message 1", "message 2", "message 3", "later 0", "later 1", "later 2", "later 3"],
            stored.Select(e => e.Text));
    }

    [StoreFact]
    public async Task Urgent_pages_past_the_limit_are_posted_as_normal_notices_and_the_person_is_told_plainly()
    {
        var first = await QueueUrgentAsync();
        Assert.Contains("URGENT", first.ForVolunteerChannel().Single().Text(), StringComparison.Ordinal);
        await _core.Bot.HandleAsync(Say.Command(_alice, "end"), default);

        var second = await QueueUrgentAsync();

        var notice = second.ForVolunteerChannel().Single().Text();
        Assert.DoesNotContain("URGENT", notice, StringComparison.Ordinal);
        Assert.Contains(Messages.UrgentAlreadyRaised, second.OnlyTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Equal(Priority.Urgent, (await _core.Get<ConversationStore>().QueueAsync(default)).Single().Priority);
    }

    private async Task<IReadOnlyList<Reply>> QueueUrgentAsync()
    {
        var welcome = await _core.Bot.HandleAsync(Say.Dm(_alice, Danger), default);
        var consent = welcome.Single().Choices().Single(c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        return await _core.Bot.HandleAsync(Say.Press(_alice, consent.ActionId), default);
    }
}

public sealed class BlockAndLimitOnSqlite() : BlockAndLimitTests(Store.Sqlite);

public sealed class BlockAndLimitOnPostgres() : BlockAndLimitTests(Store.Postgres), IOnPostgres;
