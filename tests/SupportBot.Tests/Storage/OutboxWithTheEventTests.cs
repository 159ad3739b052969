using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Invariant 5 for replies, on the real process and a real SQLite file: the replies of a consent press, of a survivor's
/// message, of a volunteer's relayed words and of a claim, a release or a close are stored in the event's own commit
/// (<see cref="OutboxStore.WriteAsync"/>),
/// so a process killed right after that commit and before it delivered anything (the test fault
/// <see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>, SIGKILL) delivers them at its next start, once: the
/// volunteers' notice, the survivor's place in the queue, the acknowledgement of their words, a relay either way, and
/// what a claim, release or close tells the survivor, the volunteer channel and the volunteer.
/// "Once" is read after a sentinel: another survivor queued after the restart, whose notice follows anything pending.
/// </summary>
public sealed class OutboxWithTheEventTests : IDisposable
{
    private const string Queued = "You are number 1 in line";
    private readonly TempFolder _folder = new("outbox-event");

    public void Dispose()
    {
        Database.CloseAll();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_consent_press_killed_right_after_its_commit_has_its_notice_and_queue_place_delivered_once_after_the_restart()
    {
        await using (var killed = Start(killAfterWrite: 2))
        {
            var welcome = await killed.SayAsync("wren (dm): my coach crossed a line", "Stop and delete this");
            await killed.SendAsync($"wren: [{ConsoleProcess.ChoiceNumber(welcome, "Yes, use a made-up name")}]");
            Assert.Equal(137, await killed.WaitForExitAsync());
            Assert.Contains("TEST FAULT", killed.Errors, StringComparison.Ordinal);
            var printed = killed.Seen.Concat(killed.Unread()).ToList();
            Assert.DoesNotContain(printed, l => l.Contains("Claim #", StringComparison.Ordinal));
            Assert.DoesNotContain(printed, l => l.Contains(Queued, StringComparison.Ordinal));
        }

        await using var next = Start();
        // Delivered in the order written: the survivor's place, then the notice.
        await next.ExpectAsync("] Claim #1");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l.EndsWith("] Claim #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("[only wren]", StringComparison.Ordinal) && l.Contains(Queued, StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_survivors_message_killed_right_after_its_commit_is_acknowledged_once_after_the_restart()
    {
        await using (var first = Start())
        {
            await first.DiscloseAsync("wren", "my coach crossed a line");
            Assert.Equal(0, await first.EndInputAsync());
        }

        await using (var killed = Start(killAfterWrite: 1))
        {
            await killed.SendAsync("wren (dm): and he told me not to tell anyone");
            Assert.Equal(137, await killed.WaitForExitAsync());
            Assert.DoesNotContain(killed.Seen.Concat(killed.Unread()), l => l.Contains("Added.", StringComparison.Ordinal));
        }

        await using var next = Start();
        await next.ExpectAsync("[dm wren] Added.");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l.StartsWith("[dm wren] Added.", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Relays_both_ways_killed_right_after_their_commit_reach_the_other_person_once_after_the_restart()
    {
        await using (var first = Start())
        {
            await first.DiscloseAsync("wren", "my coach crossed a line");
            await first.SayAsync("vol: /claim 1", "was claimed by vol");
            Assert.Equal(0, await first.EndInputAsync());
        }

        // The survivor's words to the volunteer holding the conversation.
        await using (var killed = Start(killAfterWrite: 1))
        {
            await killed.SendAsync("wren (dm): he said it was part of the work");
            Assert.Equal(137, await killed.WaitForExitAsync());
            Assert.DoesNotContain(killed.Seen.Concat(killed.Unread()), l => l.StartsWith("[dm vol]", StringComparison.Ordinal));
        }

        // Delivered by the next start, which is then killed right after relaying the volunteer's answer.
        await using (var killed = Start(killAfterWrite: 1))
        {
            var relayed = await killed.ExpectAsync("he said it was part of the work");
            Assert.StartsWith("[dm vol]", relayed[^1], StringComparison.Ordinal);
            await killed.SendAsync("vol (dm): that was not part of any work, and you did nothing wrong");
            Assert.Equal(137, await killed.WaitForExitAsync());
            Assert.DoesNotContain(killed.Seen.Concat(killed.Unread()), l => l.Contains("you did nothing wrong", StringComparison.Ordinal));
        }

        await using var next = Start();
        await next.ExpectAsync("you did nothing wrong");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l.StartsWith("[dm wren]", StringComparison.Ordinal) && l.Contains("you did nothing wrong", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("part of the work", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task A_claim_killed_right_after_its_commit_has_every_reply_delivered_once_after_the_restart(string fault)
    {
        await using (var first = Start())
        {
            await first.DiscloseAsync("wren", "my coach crossed a line");
            Assert.Equal(0, await first.EndInputAsync());
        }

        await using (var killed = ConsoleProcess.Start(_folder.Path, $"--Storage:{fault}=1"))
        {
            await killed.SendAsync("vol: /claim 1");
            Assert.Equal(137, await killed.WaitForExitAsync());
            var printed = killed.Seen.Concat(killed.Unread()).ToList();
            Assert.DoesNotContain(printed, l => l.Contains("was claimed by vol", StringComparison.Ordinal));
            Assert.DoesNotContain(printed, l => l.Contains("A volunteer has joined", StringComparison.Ordinal));
            Assert.DoesNotContain(printed, l => l.Contains("You have #1", StringComparison.Ordinal));
        }

        await using var next = Start();
        await next.ExpectAsync("[volunteers] #1 was claimed by vol.");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l.StartsWith("[dm wren] A volunteer has joined", StringComparison.Ordinal));
        Assert.Single(lines, l => l == "[volunteers] #1 was claimed by vol.");
        // The volunteer's own answer and the transcript, stored with the claim too (the answer would have been in place).
        Assert.Single(lines, l => l.Contains("vol] You have #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("[dm vol]", StringComparison.Ordinal) && l.Contains("my coach crossed a line", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task A_release_killed_right_after_its_commit_tells_the_survivor_and_the_channel_once_after_the_restart(string fault)
    {
        await using (var first = Start())
        {
            await first.DiscloseAsync("wren", "my coach crossed a line");
            await first.SayAsync("vol: /claim 1", "was claimed by vol");
            Assert.Equal(0, await first.EndInputAsync());
        }

        await using (var killed = ConsoleProcess.Start(_folder.Path, $"--Storage:{fault}=1"))
        {
            await killed.SendAsync("vol: /release 1");
            Assert.Equal(137, await killed.WaitForExitAsync());
            var printed = killed.Seen.Concat(killed.Unread()).ToList();
            Assert.DoesNotContain(printed, l => l.Contains("step away", StringComparison.Ordinal));
            Assert.DoesNotContain(printed, l => l.Contains("Claim #1", StringComparison.Ordinal));
        }

        await using var next = Start();
        await next.ExpectAsync("] Claim #1");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l.StartsWith("[dm wren] Your volunteer had to step away", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("vol] #1 is back in the queue", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task A_close_killed_right_after_its_commit_tells_the_survivor_and_the_channel_once_after_the_restart(string fault)
    {
        await using (var first = Start())
        {
            await first.DiscloseAsync("wren", "my coach crossed a line");
            await first.SayAsync("vol: /claim 1", "was claimed by vol");
            Assert.Equal(0, await first.EndInputAsync());
        }

        await using (var killed = ConsoleProcess.Start(_folder.Path, $"--Storage:{fault}=1"))
        {
            await killed.SendAsync("vol: /close supported");
            Assert.Equal(137, await killed.WaitForExitAsync());
            var printed = killed.Seen.Concat(killed.Unread()).ToList();
            Assert.DoesNotContain(printed, l => l.Contains("closed", StringComparison.Ordinal));
        }

        await using var next = Start();
        await next.ExpectAsync("[volunteers] #1 is closed.");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l.StartsWith("[dm wren] The volunteer has closed this conversation", StringComparison.Ordinal));
        Assert.Single(lines, l => l == "[volunteers] #1 is closed.");
        Assert.Single(lines, l => l.Contains("vol] #1 is closed (supported).", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    /// <summary>
    /// Where a claim, release or close is killed: right after its write committed with its replies (inside
    /// <see cref="OutboxStore.WriteAsync"/>), and once the handler has returned, before anything after it is stored (where
    /// the code before these replies were stored with the work lost the survivor's and the channel's replies).
    /// </summary>
    public static TheoryData<string> KillPoints => [.. KillRestartRig.KillPoints];

    private ConsoleProcess Start(int killAfterWrite = 0) => killAfterWrite == 0
        ? ConsoleProcess.Start(_folder.Path)
        : ConsoleProcess.Start(_folder.Path, $"--Storage:TestFaultKillAfterRepliesKept={killAfterWrite}");

    /// <summary>Another survivor queued, then the end of input: every line the process printed, in order.</summary>
    private static async Task<List<string>> SentinelAsync(ConsoleProcess bot)
    {
        await bot.DiscloseAsync("zoe", "my counsellor asked me out");
        Assert.Equal(0, await bot.EndInputAsync());
        return bot.Seen.Concat(bot.Unread()).ToList();
    }
}
