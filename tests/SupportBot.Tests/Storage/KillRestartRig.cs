using SupportBot.Core.Storage;
using SupportBot.Tests.MultiProcess;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// The bot process over one shared database, as the outbox's kill-and-restart tests drive it: a process killed by a test
/// fault, the restart, and on the console wren's conversation #1 held by vol and the sentinel that makes "once"
/// readable after a restart. Over the fake Discord or Slack (<see cref="Adapter"/>) the test drives the fake itself.
/// </summary>
internal sealed class KillRestartRig(Store store, params string[] volunteers) : IDisposable
{
    public const string Words = "my coach crossed a line";

    /// <summary>Right after the event's commit, and once its handler returned (where replies stored one commit later were lost).</summary>
    public static readonly IReadOnlyList<string> KillPoints =
        [nameof(StorageOptions.TestFaultKillAfterRepliesKept), nameof(StorageOptions.TestFaultKillAfterHandled)];

    /// <summary>Each flow at each of <see cref="KillPoints"/>, as theory rows (flow, fault).</summary>
    public static TheoryData<string, string> AtEveryKillPoint(params string[] flows)
    {
        var cases = new TheoryData<string, string>();
        foreach (var fault in KillPoints)
        {
            foreach (var flow in flows)
            {
                cases.Add(flow, fault);
            }
        }

        return cases;
    }

    public SharedDatabase Database { get; } = new(store);

    /// <summary>The arguments of a platform's adapter (a fake Discord's or Slack's); none runs the console adapter.</summary>
    public IReadOnlyList<string> Adapter { get; set; } = [];

    public void Dispose() => Database.Dispose();

    /// <summary>A process on the shared database with a 3 s lease, so a restarted one takes the killed one's rows over.</summary>
    public ConsoleProcess Start(params string[] extra) => ConsoleProcess.Start(
        Database.Folder,
        [.. Database.ProcessArgs, "--Storage:LeaseSeconds=3", .. Adapter, .. volunteers.Select((name, i) => $"--Console:Volunteers:{i}={name}"), .. extra]);

    /// <summary>wren's conversation #1, claimed by vol, in a process that then ends cleanly.</summary>
    public async Task HeldByVolAsync()
    {
        await using var first = Start();
        await first.DiscloseAsync("wren", Words);
        await first.SayAsync("vol: /claim 1", "was claimed by vol");
        Assert.Equal(0, await first.EndInputAsync());
    }

    /// <summary>wren's conversation #1, waiting in the queue, in a process that then ends cleanly.</summary>
    public async Task WaitingAsync()
    {
        await using var first = Start();
        await first.DiscloseAsync("wren", Words);
        Assert.Equal(0, await first.EndInputAsync());
    }

    /// <summary>
    /// The restart after a kill: waits for <paramref name="first"/>, a line only the killed process's stored replies can
    /// bring, then the sentinel; every line the restarted process printed.
    /// </summary>
    public async Task<List<string>> RestartedAsync(string first)
    {
        await using var next = Start();
        await next.ExpectAsync(first);
        return await SentinelAsync(next);
    }

    /// <summary>Waits for a process started with a test fault to be killed by it; every line it printed.</summary>
    public static async Task<List<string>> KilledAsync(ConsoleProcess killed)
    {
        Assert.Equal(137, await killed.WaitForExitAsync());
        Assert.Contains("TEST FAULT", killed.Errors, StringComparison.Ordinal);
        return killed.Seen.Concat(killed.Unread()).ToList();
    }

    /// <summary>Another survivor queued, then the end of input: every line the process printed, in order.</summary>
    public static async Task<List<string>> SentinelAsync(ConsoleProcess bot)
    {
        await bot.DiscloseAsync("zoe", "my counsellor asked me out");
        Assert.Equal(0, await bot.EndInputAsync());
        return bot.Seen.Concat(bot.Unread()).ToList();
    }
}
