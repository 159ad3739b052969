using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Toolkit;

/// <summary>Issue 13 items 2, 5 and 7 in the core: transfer, the per-volunteer limit and debrief, coordinator stats.</summary>
public abstract class TransferAndCareTests(Store store) : IDisposable
{
    private const string Disclosure = "My therapist Juniper asked me to keep our dinners secret";
    private readonly CoreHarness _core = new(store: store, settings: new Dictionary<string, string?>
    {
        ["Support:MaxConversationsPerVolunteer"] = "1",
        ["Support:CoordinatorContact"] = "#coordinators or Robin",
    });

    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");
    private readonly Actor _sam = Say.Volunteer("sam");
    private readonly Actor _cora = Say.Volunteer("cora") with { IsCoordinator = true };

    public void Dispose() => _core.Dispose();

    private SupportBot.Core.Content.Messages Messages => _core.Content.Messages;

    [StoreFact]
    public async Task A_transfer_moves_the_conversation_and_its_transcript_only_once_the_named_volunteer_accepts()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString()), default);

        var offer = await _core.Bot.HandleAsync(Say.Command(_vol, "transfer", id.ToString(), "@sam"), default);

        var toSam = offer.DmTo(_sam);
        Assert.DoesNotContain("Juniper", offer.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(offer, r => r.Audience == new Audience.Direct(_alice.Address));
        Assert.Contains("vol asks you", toSam.Text(), StringComparison.Ordinal);
        // Until sam accepts, vol still holds it: vol's words go to alice.
        var stillVol = await _core.Bot.HandleAsync(Say.Dm(_vol, "still with you"), default);
        Assert.Contains("still with you", stillVol.DmTo(_alice).Text(), StringComparison.Ordinal);

        var accept = toSam.Choices().Single(c => c.ActionId == $"transfer:accept:{id}");
        var accepted = await _core.Bot.HandleAsync(Say.Press(_sam, accept.ActionId), default);

        Assert.Contains("Juniper", accepted.DmTo(_sam).Text(), StringComparison.Ordinal);
        Assert.Equal(Messages.NewVolunteerJoining, accepted.DmTo(_alice).Text().Trim());
        Assert.Contains("sam took over", accepted.DmTo(_vol).Text(), StringComparison.Ordinal);
        var fromSam = await _core.Bot.HandleAsync(Say.Dm(_sam, "hello, I'm here now"), default);
        Assert.Contains("I'm here now", fromSam.DmTo(_alice).Text(), StringComparison.Ordinal);
        var fromVol = await _core.Bot.HandleAsync(Say.Dm(_vol, "are you there"), default);
        Assert.DoesNotContain(fromVol, r => r.Audience == new Audience.Direct(_alice.Address));
        var trail = await _core.Get<ConversationStore>().AuditTrailAsync(id, default);
        Assert.Contains(trail, a => a.Action == "transfer-out");
        Assert.Contains(trail, a => a.Action == "transfer-in");
        var moved = trail.ToList().FindIndex(a => a.Action == "transfer-in");
        Assert.Equal("read-transcript", trail[moved + 1].Action);
        Assert.DoesNotContain("Juniper", _core.Logs.AllText, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_declined_transfer_leaves_the_conversation_with_its_holder_and_sends_no_words()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString()), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "transfer", id.ToString(), "sam"), default);

        var stranger = await _core.Bot.HandleAsync(Say.Command(Say.Volunteer("lee"), "transfer", "accept", id.ToString()), default);
        var member = await _core.Bot.HandleAsync(Say.Press(Say.Member("mo"), $"transfer:accept:{id}"), default);
        var declined = await _core.Bot.HandleAsync(Say.Command(_sam, "transfer", "decline", id.ToString()), default);
        var late = await _core.Bot.HandleAsync(Say.Command(_sam, "transfer", "accept", id.ToString()), default);

        Assert.Contains($"no handover of #{id}", stranger.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(Messages.NotVolunteer, member.Single().Text().Trim());
        Assert.Contains("sam declined", declined.DmTo(_vol).Text(), StringComparison.Ordinal);
        Assert.Contains($"no handover of #{id}", late.Single().Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("Juniper", stranger.Concat(member).Concat(declined).Concat(late).AllText(), StringComparison.Ordinal);
        Assert.Contains("still here", (await _core.Bot.HandleAsync(Say.Dm(_vol, "still here"), default)).DmTo(_alice).Text(), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_transfer_lapses_when_the_holder_lets_the_conversation_go_and_bad_input_is_answered()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString()), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "transfer", id.ToString(), "sam"), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "release", id.ToString()), default);

        var late = await _core.Bot.HandleAsync(Say.Command(_sam, "transfer", "accept", id.ToString()), default);
        var usage = await _core.Bot.HandleAsync(Say.Command(_vol, "transfer", "soon"), default);
        var notHeld = await _core.Bot.HandleAsync(Say.Command(_sam, "transfer", id.ToString(), "vol"), default);

        Assert.Contains("lapsed", late.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(Messages.TransferUsage, usage.Single().Text().Trim());
        Assert.Equal(Messages.NotHolding, notHeld.Single().Text().Trim());
    }

    [StoreFact]
    public async Task Claims_beyond_the_limit_are_refused_with_a_sentence_and_so_is_a_transfer_to_a_full_volunteer()
    {
        var first = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var second = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "I need to talk");
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", first.ToString()), default);

        var refused = await _core.Bot.HandleAsync(Say.Command(_vol, "claim", second.ToString()), default);
        Assert.Equal(MessageTemplateFill(Messages.AtMaxConversations, "1"), refused.Single().Text().Trim());
        Assert.Single(await _core.Get<ConversationStore>().HeldByAsync(_vol.Address, default));

        await _core.Bot.HandleAsync(Say.Command(_sam, "claim", second.ToString()), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "transfer", first.ToString(), "sam"), default);
        var full = await _core.Bot.HandleAsync(Say.Command(_sam, "transfer", "accept", first.ToString()), default);
        Assert.Equal(MessageTemplateFill(Messages.AtMaxConversations, "1"), full.Single().Text().Trim());
    }

    [StoreFact]
    public async Task Closing_an_urgent_conversation_brings_a_private_debrief_with_the_coordinators_contact_and_a_calm_one_does_not()
    {
        var urgent = await _core.Bot.QueueDisclosureAsync(_alice, "honestly I want to kill myself tonight");
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", urgent.ToString()), default);
        var closedUrgent = await _core.Bot.HandleAsync(Say.Command(_vol, "close", "supported"), default);

        var calm = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "I need to talk");
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", calm.ToString()), default);
        var closedCalm = await _core.Bot.HandleAsync(Say.Command(_vol, "close", "supported"), default);

        var debrief = closedUrgent.DmTo(_vol).Text();
        Assert.Contains(MessageTemplateFill(Messages.Debrief, urgent.ToString(), "Id"), debrief, StringComparison.Ordinal);
        Assert.Contains("#coordinators or Robin", debrief, StringComparison.Ordinal);
        Assert.DoesNotContain("kill", debrief, StringComparison.Ordinal);
        Assert.DoesNotContain(closedCalm, r => r.Audience == new Audience.Direct(_vol.Address));
    }

    [StoreFact]
    public async Task Stats_count_conversations_by_outcome_with_median_waits_for_coordinators_only()
    {
        var a = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        _core.Clock.Advance(TimeSpan.FromMinutes(10));
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", a.ToString()), default);
        _core.Clock.Advance(TimeSpan.FromMinutes(5));
        await _core.Bot.HandleAsync(Say.Dm(_vol, "I'm here"), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "close", "supported"), default);
        _core.Clock.Advance(TimeSpan.FromDays(10));
        await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "I need to talk");

        var refused = await _core.Bot.HandleAsync(Say.Command(_vol, "stats"), default);
        var stats = await _core.Bot.HandleAsync(Say.Command(_cora, "stats"), default);

        Assert.Equal(Messages.NotCoordinator, refused.Single().Text().Trim());
        var blocks = stats.OnlyTo(_cora).Blocks.OfType<TextBlock>().ToList();
        Assert.Equal(2, blocks.Count);
        Assert.Contains("7 days", blocks[0].Heading, StringComparison.Ordinal);
        Assert.Contains("shared with volunteers: 1", blocks[0].Body, StringComparison.Ordinal);
        Assert.Contains("- open: 1", blocks[0].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("supported", blocks[0].Body, StringComparison.Ordinal);
        Assert.Contains("shared with volunteers: 2", blocks[1].Body, StringComparison.Ordinal);
        Assert.Contains("- supported: 1", blocks[1].Body, StringComparison.Ordinal);
        Assert.Contains("took it: 10 min", blocks[1].Body, StringComparison.Ordinal);
        Assert.Contains("first reply: 15 min", blocks[1].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Juniper", stats.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain("alice", stats.AllText(), StringComparison.Ordinal);
    }

    private static string MessageTemplateFill(string template, string value, string name = "Max") =>
        SupportBot.Core.Content.MessageTemplate.Fill(template, (name, value));
}

public sealed class TransferAndCareOnSqlite() : TransferAndCareTests(Store.Sqlite);

public sealed class TransferAndCareOnPostgres() : TransferAndCareTests(Store.Postgres), IOnPostgres;
