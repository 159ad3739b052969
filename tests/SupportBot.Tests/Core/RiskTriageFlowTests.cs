using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

/// <summary>
/// Every direct message is triaged, not only the first: what fires decides the lines the survivor gets, the
/// conversation becomes urgent, the volunteer holding it is alerted, and volunteers only ever see "urgent".
/// </summary>
public sealed class RiskTriageFlowTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");

    public void Dispose() => _core.Dispose();

    private Messages Messages => _core.Content.Messages;

    [Fact]
    public async Task Danger_from_a_person_brings_the_emergency_number_first_then_sexual_assault_and_domestic_violence_lines()
    {
        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, "he's banging on my door right now"), default);

        var answer = replies.DmTo(_alice).Text();
        Assert.Contains(Messages.DangerNoticePerson, answer, StringComparison.Ordinal);
        var us = answer.Split('\n').Single(l => l.StartsWith("- United States:", StringComparison.Ordinal));
        Assert.True(us.IndexOf("911", StringComparison.Ordinal) < us.IndexOf("RAINN", StringComparison.Ordinal), us);
        Assert.Contains("1800RESPECT", answer, StringComparison.Ordinal);
        Assert.Contains("Safe to talk", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("988", us, StringComparison.Ordinal);
        var canada = answer.Split('\n').Single(l => l.StartsWith("- Canada:", StringComparison.Ordinal));
        Assert.True(canada.IndexOf("911", StringComparison.Ordinal) < canada.IndexOf("Sexual Violence Helpline (Quebec)", StringComparison.Ordinal), canada);
        var germany = answer.Split('\n').Single(l => l.StartsWith("- Germany:", StringComparison.Ordinal));
        Assert.Contains("Hilfetelefon", germany, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suicidal_words_bring_the_crisis_lines_and_not_the_sexual_assault_lines()
    {
        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, "i wanna kms"), default);

        var answer = replies.DmTo(_alice).Text();
        Assert.Contains(Messages.DangerNotice, answer, StringComparison.Ordinal);
        var us = answer.Split('\n').Single(l => l.StartsWith("- United States:", StringComparison.Ordinal));
        Assert.Contains("911", us, StringComparison.Ordinal);
        Assert.Contains("988", us, StringComparison.Ordinal);
        Assert.DoesNotContain("RAINN", us, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_who_says_they_are_safe_gets_no_danger_notice_and_waits_as_usual()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "I'm not suicidal, I just want to know how to file a complaint");

        var conversation = await _core.Get<ConversationStore>().GetAsync(id, default);
        Assert.Equal(Priority.Normal, conversation!.Priority);
        var more = await _core.Bot.HandleAsync(Say.Dm(_alice, "I used to self-harm as a teenager but I've been okay for years"), default);
        Assert.DoesNotContain(Messages.DangerNotice, more.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Empty(more.ForVolunteerChannel());
    }

    [Fact]
    public async Task Invariant_2_a_queued_conversation_that_turns_dangerous_becomes_urgent_and_the_channel_sees_only_urgent()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "My coach kept touching me after practice");

        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, "I've been saving up my pills"), default);

        Assert.Contains(Messages.DangerNotice, replies.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Equal(Priority.Urgent, (await _core.Get<ConversationStore>().GetAsync(id, default))!.Priority);
        var notice = replies.ForVolunteerChannel().Single().Text();
        Assert.Contains("URGENT", notice, StringComparison.Ordinal);
        Assert.Contains($"#{id}", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("pills", notice, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("coach", notice, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_claimed_conversation_that_turns_dangerous_alerts_the_volunteer_at_once_and_sends_the_survivor_the_lines()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "My therapist asked me to keep our sessions secret");
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);

        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, "He threatened to kill me if I tell anyone"), default);

        var conversation = await _core.Get<ConversationStore>().GetAsync(id, default);
        Assert.Equal(Priority.Urgent, conversation!.Priority);
        var toVolunteer = replies.DmTo(_vol);
        var alert = MessageTemplate.Fill(Messages.VolunteerRiskAlert, ("Id", id), ("Name", conversation.KnownAs));
        Assert.Equal(alert, ((TextBlock)toVolunteer.Blocks[0]).Body);
        Assert.Contains("He threatened to kill me if I tell anyone", toVolunteer.Text(), StringComparison.Ordinal);
        var toSurvivor = replies.DmTo(_alice).Text();
        Assert.Contains(Messages.DangerNoticePerson, toSurvivor, StringComparison.Ordinal);
        Assert.Contains("RAINN", toSurvivor, StringComparison.Ordinal);
        Assert.Empty(replies.ForVolunteerChannel());
    }

    [Fact]
    public async Task A_claimed_conversation_with_ordinary_words_relays_them_without_an_alert()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "My therapist asked me to keep our sessions secret");
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{id}"), default);

        var replies = await _core.Bot.HandleAsync(Say.Dm(_alice, "I'm dead tired but I want to take my life back"), default);

        Assert.Single(replies);
        Assert.DoesNotContain(Messages.VolunteerRiskAlert[..20], replies.DmTo(_vol).Text(), StringComparison.Ordinal);
        Assert.Equal(Priority.Normal, (await _core.Get<ConversationStore>().GetAsync(id, default))!.Priority);
    }

    [Fact]
    public async Task The_log_names_the_rule_and_kind_that_fired_and_never_the_words()
    {
        await _core.Bot.HandleAsync(Say.Dm(_alice, "I took a whole bottle of pills"), default);

        Assert.Contains("took-many-pills", _core.Logs.AllText, StringComparison.Ordinal);
        Assert.Contains("Means", _core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("bottle", _core.Logs.AllText, StringComparison.OrdinalIgnoreCase);
    }
}
