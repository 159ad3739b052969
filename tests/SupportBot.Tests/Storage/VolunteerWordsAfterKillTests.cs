using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Invariant 5 for the volunteer's words that go out beside something else: a message written before choosing which
/// conversation it is for (sent at the choice, with the focus), a message the contact guard held and the volunteer
/// confirmed (with its audit row) and a snippet. Each stores the message, its relay to the survivor and the volunteer's
/// own answer in one commit (<see cref="Relay.SendAsVolunteerAsync(Actor, long, string, Alongside, CancellationToken)"/>),
/// so the real process, killed right after that commit (<see cref="StorageOptions.TestFaultKillAfterEventCommit"/>,
/// <see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>) or once its handler returned
/// (<see cref="StorageOptions.TestFaultKillAfterHandled"/>), delivers them at its next start, once, and does not handle
/// the event again. "Once" is read after a sentinel, as in <see cref="OutboxNoticesAfterKillTests"/>.
/// </summary>
public abstract class VolunteerWordsAfterKillTests(Store store) : IDisposable
{
    private readonly KillRestartRig _rig = new(store, "vol");

    public void Dispose() => _rig.Dispose();

    /// <summary>
    /// Right after the event's first commit (where anything it stored one write later was lost), after the commit that
    /// stored its replies, and once its handler returned.
    /// </summary>
    public static TheoryData<string> KillPoints => new()
    {
        nameof(StorageOptions.TestFaultKillAfterEventCommit),
        nameof(StorageOptions.TestFaultKillAfterRepliesKept),
        nameof(StorageOptions.TestFaultKillAfterHandled),
    };

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_message_written_before_choosing_its_conversation_and_killed_right_after_the_choice_reaches_the_survivor_once(string fault)
    {
        await HoldingTwoWithoutFocusAsync();

        List<string> printed;
        await using (var killed = _rig.Start($"--Storage:{fault}=1"))
        {
            // The message waits, in this process, for the volunteer to say which conversation it is for.
            var asked = await killed.SayAsync("vol (dm): are you still there?", "] [2] #2 ");
            Assert.Contains(asked, l => l.Contains("Which one is this for?", StringComparison.Ordinal));
            await killed.SendAsync($"vol: [{ConsoleProcess.ChoiceNumber(asked, "#1 ")}]");
            printed = await KillRestartRig.KilledAsync(killed);
        }

        Assert.DoesNotContain(printed, l => l.Contains("are you still there", StringComparison.Ordinal) && l.StartsWith("[dm wren]", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[dm wren] Volunteer: are you still there?");
        Assert.Single(lines, l => l == "[dm wren] Volunteer: are you still there?");
        // The answer that would have been in place comes as a direct message; the choice is not handled again.
        Assert.Single(lines, l => l.Contains("vol] Your messages now go to #1.", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("[dm ash]", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #4", StringComparison.Ordinal));
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_held_message_confirmed_and_killed_right_after_its_commit_reaches_the_survivor_once_and_is_audited(string fault)
    {
        await _rig.HeldByVolAsync();

        List<string> printed;
        // Holding the message committed its audit row: the confirmation is this process's second event commit.
        var nth = fault == nameof(StorageOptions.TestFaultKillAfterEventCommit) ? 2 : 1;
        await using (var killed = _rig.Start($"--Storage:{fault}={nth}"))
        {
            // Held in this process until the volunteer confirms it.
            await killed.SayAsync("vol (dm): you can ring me on 07700 900123", "/confirm send");
            await killed.SendAsync("vol: /confirm send");
            printed = await KillRestartRig.KilledAsync(killed);
        }

        Assert.DoesNotContain(printed, l => l.StartsWith("[dm wren]", StringComparison.Ordinal) && l.Contains("07700 900123", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[dm wren] Volunteer: you can ring me on 07700 900123");
        Assert.Single(lines, l => l == "[dm wren] Volunteer: you can ring me on 07700 900123");
        Assert.Single(lines, l => l.Contains("vol] Sent to #1.", StringComparison.Ordinal));
        // Not handled again: a second confirmation would find nothing held.
        Assert.DoesNotContain(lines, l => l.Contains("no message waiting to be confirmed", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
        // The confirmation is audited, once, by kind: committed with the message it sent.
        var trail = await _rig.Database.Core.Get<ConversationStore>().AuditTrailAsync(1, default);
        Assert.Single(trail, e => e.Action == "contact-confirmed:phone");
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_snippet_killed_right_after_its_commit_reaches_the_survivor_and_the_volunteer_once(string fault)
    {
        await _rig.HeldByVolAsync();

        List<string> printed;
        await using (var killed = _rig.Start($"--Storage:{fault}=1"))
        {
            await killed.SendAsync("vol: /snippet hello");
            printed = await KillRestartRig.KilledAsync(killed);
        }

        Assert.DoesNotContain(printed, l => l.StartsWith("[dm wren] Volunteer: Hi ", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[dm wren] Volunteer: Hi ");
        Assert.Single(lines, l => l.StartsWith("[dm wren] Volunteer: Hi ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("vol] Sent \"hello\" to #1.", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    /// <summary>
    /// vol holds wren's #1 and ash's #2 and has released cy's #3, the conversation their messages went to: the next
    /// message they write is for neither until they choose.
    /// </summary>
    private async Task HoldingTwoWithoutFocusAsync()
    {
        await using var first = _rig.Start();
        await first.DiscloseAsync("wren", KillRestartRig.Words);
        await first.DiscloseAsync("ash", "my therapist kept texting me at night");
        await first.DiscloseAsync("cy", "my trainer wanted photos");
        await first.SayAsync("vol: /claim 1", "#1 was claimed by vol");
        await first.SayAsync("vol: /claim 2", "#2 was claimed by vol");
        await first.SayAsync("vol: /claim 3", "#3 was claimed by vol");
        await first.SayAsync("vol: /release 3", "] Claim #3");
        Assert.Equal(0, await first.EndInputAsync());
    }
}

public sealed class VolunteerWordsAfterKillOnSqlite() : VolunteerWordsAfterKillTests(Store.Sqlite);

public sealed class VolunteerWordsAfterKillOnPostgres() : VolunteerWordsAfterKillTests(Store.Postgres), IOnPostgres;
