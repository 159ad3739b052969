using SupportBot.Core.Storage;
using SupportBot.Core.Timing;
using SupportBot.Tests.MultiProcess;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Invariant 5 for the notices of the support timers (<see cref="SupportTimers"/>), on the real process and a real SQLite
/// file (or a real PostgreSQL database, where the restarted process takes the killed one's rows over once their lease of
/// 3 s ran out): a quiet close, a nudge and a re-announcement store their notices in the commit of the change they announce
/// (<see cref="OutboxStore.WriteNoticesAsync"/>). A process killed right after that commit
/// (<see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>; no event is handled, so the timers' write is the first
/// with replies), before it delivered anything, delivers each notice at its next start, once: the change is marked done,
/// so the restarted timers do not do it again. The restart runs with the default timers (days and hours), so only the
/// outbox can bring a notice back. "Once" is read after a sentinel: another survivor queued after the restart.
/// </summary>
public abstract class TimerNoticesAfterKillTests(Store store) : IDisposable
{
    private const string Words = "my coach crossed a line";
    private const string Quiet = "It's been quiet here for a while, so I've closed this conversation.";
    private readonly SharedDatabase _database = new(store);

    public void Dispose() => _database.Dispose();

    [StoreFact]
    public async Task A_quiet_close_killed_right_after_its_commit_tells_the_survivor_and_the_holder_once()
    {
        await HeldByVolAsync();

        var printed = await KilledAsync("--Support:AutoCloseAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains(Quiet, StringComparison.Ordinal));
        Assert.DoesNotContain(printed, l => l.Contains("#1 was closed", StringComparison.Ordinal));

        await using var next = Start();
        await next.ExpectAsync("[dm vol] #1 was closed after");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l.StartsWith("[dm wren] " + Quiet, StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("[dm vol] #1 was closed after", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_quiet_close_of_a_waiting_conversation_killed_right_after_its_commit_tells_the_channel_once()
    {
        await using (var first = Start())
        {
            await first.DiscloseAsync("wren", Words);
            Assert.Equal(0, await first.EndInputAsync());
        }

        var printed = await KilledAsync("--Support:AutoCloseAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains("#1 was closed", StringComparison.Ordinal));

        await using var next = Start();
        await next.ExpectAsync("[volunteers] #1 was closed after a long quiet.");
        var lines = await SentinelAsync(next);
        Assert.Single(lines, l => l == "[volunteers] #1 was closed after a long quiet.");
        Assert.Single(lines, l => l.StartsWith("[dm wren] " + Quiet, StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_nudge_killed_right_after_its_commit_reaches_the_holder_once()
    {
        await HeldByVolAsync();

        var printed = await KilledAsync("--Support:NudgeAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains("has had no reply from you", StringComparison.Ordinal));

        await using var next = Start();
        await next.ExpectAsync("has had no reply from you");
        var lines = await SentinelAsync(next);
        var nudge = Assert.Single(lines, l => l.Contains("has had no reply from you", StringComparison.Ordinal));
        Assert.StartsWith("[dm vol] #1 (", nudge, StringComparison.Ordinal);
        Assert.DoesNotContain(Words, nudge, StringComparison.Ordinal);
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_re_announcement_killed_right_after_its_commit_reaches_the_channel_once()
    {
        await using (var first = Start())
        {
            await first.DiscloseAsync("wren", Words);
            Assert.Equal(0, await first.EndInputAsync());
        }

        var printed = await KilledAsync("--Support:AlertAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains("Still waiting: #1", StringComparison.Ordinal));

        await using var next = Start();
        await next.ExpectAsync("[volunteers] Still waiting: #1");
        var lines = await SentinelAsync(next);
        var alert = Assert.Single(lines, l => l.StartsWith("[volunteers] Still waiting: #1", StringComparison.Ordinal));
        Assert.DoesNotContain(Words, alert, StringComparison.Ordinal);
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    /// <summary>wren's conversation #1, claimed by vol, in a process that then ends cleanly.</summary>
    private async Task HeldByVolAsync()
    {
        await using var first = Start();
        await first.DiscloseAsync("wren", Words);
        await first.SayAsync("vol: /claim 1", "was claimed by vol");
        Assert.Equal(0, await first.EndInputAsync());
    }

    /// <summary>
    /// A process with one timer set short, checking every second and killed after the first write that stored replies;
    /// nothing is sent to it, so that write is the timer's. Every line it printed.
    /// </summary>
    private async Task<List<string>> KilledAsync(string timer)
    {
        await using var killed = Start(timer, "--Support:CheckEvery=00:00:01", $"--Storage:{nameof(StorageOptions.TestFaultKillAfterRepliesKept)}=1");
        Assert.Equal(137, await killed.WaitForExitAsync());
        Assert.Contains("TEST FAULT", killed.Errors, StringComparison.Ordinal);
        return killed.Seen.Concat(killed.Unread()).ToList();
    }

    private ConsoleProcess Start(params string[] extra) =>
        ConsoleProcess.Start(_database.Folder, [.. _database.ProcessArgs, "--Storage:LeaseSeconds=3", "--Console:Volunteers:0=vol", .. extra]);

    /// <summary>Another survivor queued, then the end of input: every line the process printed, in order.</summary>
    private static async Task<List<string>> SentinelAsync(ConsoleProcess bot)
    {
        await bot.DiscloseAsync("zoe", "my counsellor asked me out");
        Assert.Equal(0, await bot.EndInputAsync());
        return bot.Seen.Concat(bot.Unread()).ToList();
    }
}

public sealed class TimerNoticesAfterKillOnSqlite() : TimerNoticesAfterKillTests(Store.Sqlite);

public sealed class TimerNoticesAfterKillOnPostgres() : TimerNoticesAfterKillTests(Store.Postgres), IOnPostgres;
