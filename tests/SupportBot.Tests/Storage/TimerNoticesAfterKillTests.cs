using SupportBot.Core.Storage;
using SupportBot.Core.Timing;
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
    private const string Words = KillRestartRig.Words;
    private const string Quiet = "It's been quiet here for a while, so I've closed this conversation.";
    private readonly KillRestartRig _rig = new(store, "vol");

    public void Dispose() => _rig.Dispose();

    [StoreFact]
    public async Task A_quiet_close_killed_right_after_its_commit_tells_the_survivor_and_the_holder_once()
    {
        await _rig.HeldByVolAsync();

        var printed = await KilledAsync("--Support:AutoCloseAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains(Quiet, StringComparison.Ordinal));
        Assert.DoesNotContain(printed, l => l.Contains("#1 was closed", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[dm vol] #1 was closed after");
        Assert.Single(lines, l => l.StartsWith("[dm wren] " + Quiet, StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("[dm vol] #1 was closed after", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_quiet_close_of_a_waiting_conversation_killed_right_after_its_commit_tells_the_channel_once()
    {
        await _rig.WaitingAsync();

        var printed = await KilledAsync("--Support:AutoCloseAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains("#1 was closed", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[volunteers] #1 was closed after a long quiet.");
        Assert.Single(lines, l => l == "[volunteers] #1 was closed after a long quiet.");
        Assert.Single(lines, l => l.StartsWith("[dm wren] " + Quiet, StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_nudge_killed_right_after_its_commit_reaches_the_holder_once()
    {
        await _rig.HeldByVolAsync();

        var printed = await KilledAsync("--Support:NudgeAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains("has had no reply from you", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("has had no reply from you");
        var nudge = Assert.Single(lines, l => l.Contains("has had no reply from you", StringComparison.Ordinal));
        Assert.StartsWith("[dm vol] #1 (", nudge, StringComparison.Ordinal);
        Assert.DoesNotContain(Words, nudge, StringComparison.Ordinal);
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_re_announcement_killed_right_after_its_commit_reaches_the_channel_once()
    {
        await _rig.WaitingAsync();

        var printed = await KilledAsync("--Support:AlertAfter=00:00:01");
        Assert.DoesNotContain(printed, l => l.Contains("Still waiting: #1", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[volunteers] Still waiting: #1");
        var alert = Assert.Single(lines, l => l.StartsWith("[volunteers] Still waiting: #1", StringComparison.Ordinal));
        Assert.DoesNotContain(Words, alert, StringComparison.Ordinal);
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    /// <summary>
    /// A process with one timer set short, checking every second and killed after the first write that stored replies;
    /// nothing is sent to it, so that write is the timer's. Every line it printed.
    /// </summary>
    private async Task<List<string>> KilledAsync(string timer)
    {
        await using var killed = _rig.Start(timer, "--Support:CheckEvery=00:00:01", $"--Storage:{nameof(StorageOptions.TestFaultKillAfterRepliesKept)}=1");
        return await KillRestartRig.KilledAsync(killed);
    }
}

public sealed class TimerNoticesAfterKillOnSqlite() : TimerNoticesAfterKillTests(Store.Sqlite);

public sealed class TimerNoticesAfterKillOnPostgres() : TimerNoticesAfterKillTests(Store.Postgres), IOnPostgres;
