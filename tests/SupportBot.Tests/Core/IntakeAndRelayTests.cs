using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

public sealed class IntakeAndRelayTests : IDisposable
{
    private const string Disclosure = "My counsellor kept asking me to meet him for dinner after sessions";
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");
    private readonly Actor _sam = Say.Volunteer("sam");

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task First_message_gets_an_immediate_answer_that_says_bot_not_therapy_not_emergency_and_asks_consent()
    {
        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);

        var answer = replies.DmTo(_alice);
        Assert.Single(replies);
        Assert.Contains("bot", answer.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not therapists", answer.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not an emergency service", answer.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, answer.Choices().Count(c => c.ActionId.StartsWith("consent:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Nothing_reaches_volunteers_before_consent()
    {
        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);
        await _core.Bot.HandleAsync(Say.Dm(_alice, "and he texts me at night"), default);

        Assert.Empty(replies.ForVolunteerChannel());
        Assert.Empty(await _core.Get<ConversationStore>().QueueAsync(default));
        var queue = await _core.Bot.HandleAsync(Say.Command(_vol, "queue"), default);
        Assert.Equal(_core.Content.Messages.QueueEmpty, queue.Single().Text().Trim());
    }

    [Fact]
    public async Task Danger_words_bring_crisis_lines_at_once_and_make_the_conversation_urgent()
    {
        await _core.Bot.QueueDisclosureAsync(_alice, "A normal first message");
        var calm = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "Just want to talk");
        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, "honestly I want to kill myself tonight"), default);

        var answer = replies.DmTo(_alice).Text();
        Assert.Contains(_core.Content.Messages.DangerNotice, answer, StringComparison.Ordinal);
        Assert.Contains(_core.Content.Crisis.Countries[0].Lines[0].Name, answer, StringComparison.Ordinal);
        var queue = await _core.Get<ConversationStore>().QueueAsync(default);
        Assert.Equal(Priority.Urgent, queue[0].Priority);
        Assert.NotEqual(calm, queue[0].Id);
        Assert.Contains(replies.ForVolunteerChannel(), r => r.Text().Contains("URGENT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Choosing_stop_deletes_the_message_and_nobody_is_notified()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);
        var stop = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:stop:", StringComparison.Ordinal));

        var replies = await _core.Bot.HandleAsync(Say.Press(_alice, stop.ActionId), default);

        Assert.Empty(replies.ForVolunteerChannel());
        Assert.Null(await _core.Get<ConversationStore>().FindOpenAsync(_alice.Address, default));
        var forget = await _core.Bot.HandleAsync(Say.Command(_alice, "forget"), default);
        Assert.Equal(_core.Content.Messages.ForgetNothing, forget.Single().Text().Trim());
    }

    [Fact]
    public async Task Invariant_2_and_3_volunteer_channel_sees_number_pseudonym_and_wait_never_the_words_or_the_name()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);
        var consent = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        var replies = await _core.Bot.HandleAsync(Say.Press(_alice, consent.ActionId), default);

        var notice = replies.ForVolunteerChannel().Single();
        var conversation = (await _core.Get<ConversationStore>().QueueAsync(default)).Single();
        Assert.Contains($"#{conversation.Id}", notice.Text(), StringComparison.Ordinal);
        Assert.Contains(conversation.Pseudonym, notice.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("alice", notice.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("dinner", notice.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"claim:{conversation.Id}", notice.Choices().Single().ActionId);
        Assert.Contains("A volunteer will see this", replies.OnlyTo(_alice).Text(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Survivor_who_shares_their_name_is_known_by_it_after_claim()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);
        var named = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:name:", StringComparison.Ordinal));
        var queued = await _core.Bot.HandleAsync(Say.Press(_alice, named.ActionId), default);

        Assert.Contains("alice", queued.ForVolunteerChannel().Single().Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_sends_the_transcript_by_dm_and_relays_both_ways_with_the_volunteer_marked()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Dm(_alice, "Also he said it was part of my healing"), default);

        var claim = await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);
        var transcript = claim.DmTo(_vol).Text();
        Assert.Contains(Disclosure, transcript, StringComparison.Ordinal);
        Assert.Contains("part of my healing", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain(claim.ForVolunteerChannel(), r => r.Text().Contains("dinner", StringComparison.Ordinal));
        Assert.Contains(_core.Content.Messages.VolunteerJoined, claim.DmTo(_alice).Text(), StringComparison.Ordinal);

        var toSurvivor = await _core.Bot.HandleAsync(Say.Dm(_vol, "I'm here and I believe you."), default);
        Assert.Contains("Volunteer", toSurvivor.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Contains("I believe you", toSurvivor.DmTo(_alice).Text(), StringComparison.Ordinal);

        var toVolunteer = await _core.Bot.HandleAsync(Say.Dm(_alice, "thank you"), default);
        Assert.Contains("thank you", toVolunteer.DmTo(_vol).Text(), StringComparison.Ordinal);
        Assert.Empty(toVolunteer.ForVolunteerChannel());
    }

    [Fact]
    public async Task Release_puts_the_conversation_back_and_another_volunteer_can_claim_it_with_the_history()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);
        await _core.Bot.HandleAsync(Say.Dm(_vol, "Hello from the first volunteer"), default);

        var released = await _core.Bot.HandleAsync(Say.Command(_vol, "release"), default);
        Assert.Contains(_core.Content.Messages.VolunteerReleased, released.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Single(released.ForVolunteerChannel());

        var reclaimed = await _core.Bot.HandleAsync(Say.Command(_sam, "claim", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        Assert.Contains("Hello from the first volunteer", reclaimed.DmTo(_sam).Text(), StringComparison.Ordinal);

        var late = await _core.Bot.HandleAsync(Say.Dm(_vol, "are you still there?"), default);
        Assert.DoesNotContain(late, r => r.Audience == new Audience.Direct(_alice.Address));
    }

    [Fact]
    public async Task Close_tells_the_survivor_and_their_next_message_starts_a_new_conversation()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);

        var asked = await _core.Bot.HandleAsync(Say.Command(_vol, "close"), default);
        Assert.Contains(asked.Single().Choices(), c => c.ActionId == $"close:{id}:supported");
        var closed = await _core.Bot.HandleAsync(Say.Press(_vol, $"close:{id}:supported"), default);

        Assert.Contains(_core.Content.Messages.ConversationClosed, closed.DmTo(_alice).Text(), StringComparison.Ordinal);
        var again = await _core.Bot.HandleAsync(Say.Dm(_alice, "me again"), default);
        Assert.Contains(again.DmTo(_alice).Choices(), c => c.ActionId.StartsWith("consent:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Survivor_can_end_at_any_time_and_the_volunteer_is_told()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);

        var ended = await _core.Bot.HandleAsync(Say.Command(_alice, "end"), default);

        Assert.Contains(_core.Content.Messages.SurvivorEnded, ended.OnlyTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Contains($"#{id}", ended.DmTo(_vol).Text(), StringComparison.Ordinal);
        Assert.Empty(await _core.Get<ConversationStore>().HeldByAsync(_vol.Address, default));
    }

    [Fact]
    public async Task Ending_before_consent_deletes_the_unshared_words_at_once()
    {
        await _core.Bot.HandleAsync(Say.Dm(_alice, Disclosure), default);

        var ended = await _core.Bot.HandleAsync(Say.Command(_alice, "end"), default);

        Assert.Equal(_core.Content.Messages.Stopped, ended.Single().Text().Trim());
        var forget = await _core.Bot.HandleAsync(Say.Command(_alice, "forget"), default);
        Assert.Equal(_core.Content.Messages.ForgetNothing, forget.Single().Text().Trim());
    }

    [Fact]
    public async Task Queue_lists_urgent_first_then_the_longest_waiting_with_their_wait()
    {
        var oldest = await _core.Bot.QueueDisclosureAsync(Say.Member("ann"), "first");
        _core.Clock.Advance(TimeSpan.FromMinutes(65));
        var newer = await _core.Bot.QueueDisclosureAsync(Say.Member("ben"), "second");
        _core.Clock.Advance(TimeSpan.FromMinutes(7));
        var urgent = await _core.Bot.QueueDisclosureAsync(Say.Member("cat"), "I am not safe tonight");

        var queue = (await _core.Bot.HandleAsync(Say.Command(_vol, "queue"), default)).Single().Text()
            .Split('\n').Where(l => l.StartsWith('#')).ToList();

        Assert.Equal([$"#{urgent}", $"#{oldest}", $"#{newer}"], queue.Select(l => l.Split(' ')[0]));
        Assert.Contains("urgent, waiting under a minute", queue[0], StringComparison.Ordinal);
        Assert.Contains("waiting 1 h 12 min", queue[1], StringComparison.Ordinal);
        Assert.Contains("waiting 7 min", queue[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_volunteer_holding_two_conversations_chooses_where_the_next_message_goes()
    {
        var bea = Say.Member("bea");
        var first = await _core.Bot.QueueDisclosureAsync(_alice, "first");
        var second = await _core.Bot.QueueDisclosureAsync(bea, "second");
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{first}"), default);
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{second}"), default);

        // The latest claim is where messages go until the volunteer picks another.
        var toBea = await _core.Bot.HandleAsync(Say.Dm(_vol, "hello bea"), default);
        Assert.Contains("hello bea", toBea.DmTo(bea).Text(), StringComparison.Ordinal);

        var fromAlice = await _core.Bot.HandleAsync(Say.Dm(_alice, "are you there?"), default);
        var replyHere = fromAlice.DmTo(_vol).Choices().Single();
        Assert.Equal($"focus:{first}", replyHere.ActionId);

        var switched = await _core.Bot.HandleAsync(Say.Press(_vol, replyHere.ActionId), default);
        Assert.Contains($"#{first}", switched.Single().Text(), StringComparison.Ordinal);
        var toAlice = await _core.Bot.HandleAsync(Say.Dm(_vol, "yes, I'm here"), default);
        Assert.Contains("yes, I'm here", toAlice.DmTo(_alice).Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_volunteer_trying_volunteer_commands_and_buttons_is_refused_and_learns_nothing()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var bob = Say.Member("bob");

        foreach (var inbound in new Inbound[]
        {
            Say.Command(bob, "claim"), Say.Command(bob, "queue"), Say.Command(bob, "note", "hi"),
            Say.Command(bob, "close"), Say.Command(bob, "release"), Say.Press(bob, $"claim:{id}"),
        })
        {
            var replies = await _core.Bot.HandleAsync(inbound, default);
            var only = Assert.Single(replies);
            Assert.Equal(new Audience.OnlyActor(bob.Address), only.Audience);
            Assert.Equal(_core.Content.Messages.NotVolunteer, only.Text().Trim());
        }

        Assert.Single(await _core.Get<ConversationStore>().QueueAsync(default));
    }

    [Fact]
    public async Task Invariant_8_every_volunteer_access_is_audited()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);
        await _core.Bot.HandleAsync(Say.Dm(_vol, "hello"), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "note", "seems safe, wants complaint info"), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "release"), default);
        await _core.Bot.HandleAsync(Say.Press(_sam, $"claim:{id}"), default);
        await _core.Bot.HandleAsync(Say.Command(_sam, "close", "referred"), default);

        var trail = await _core.Get<ConversationStore>().AuditTrailAsync(id, default);
        var ids = _core.Get<PersonIds>();
        var names = new Dictionary<string, string> { [ids.Key(_vol.Address)] = "vol", [ids.Key(_sam.Address)] = "sam" };
        Assert.Equal(
            ["vol claim", "vol read-transcript", "vol message", "vol note", "vol release", "sam claim", "sam read-transcript", "sam close:referred"],
            trail.Select(t => $"{names[t.Volunteer]} {t.Action}"));
    }

    [Fact]
    public async Task Notes_reach_the_next_volunteer_but_never_the_survivor()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);
        var noted = await _core.Bot.HandleAsync(Say.Command(_vol, "note", "prefers evenings"), default);
        Assert.DoesNotContain(noted, r => r.Audience == new Audience.Direct(_alice.Address));
        await _core.Bot.HandleAsync(Say.Command(_vol, "release"), default);

        var claim = await _core.Bot.HandleAsync(Say.Press(_sam, $"claim:{id}"), default);

        Assert.Contains("prefers evenings", claim.DmTo(_sam).Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("prefers evenings", claim.DmTo(_alice).Text(), StringComparison.Ordinal);
    }
}
