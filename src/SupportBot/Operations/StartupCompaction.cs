using System.Runtime;
using SupportBot.Core.Content;
using SupportBot.Core.Operations;

namespace SupportBot.Operations;

/// <summary>
/// One full, compacting collection once every adapter is connected, which gives the start-up's garbage back to the
/// system. Starting allocates about 20 MB that is dead once the bot runs (the content and the triage model parsed,
/// the host and the listener built, the gateway's first frames), and a quiet bot allocates too little for the
/// collector ever to run again: without this the process kept that memory resident for as long as it was idle
/// (bench/HISTORY.md). It runs after readiness and after the triage detector is built (which may be later), so
/// it never delays either, and only once.
/// </summary>
internal sealed class StartupCompaction(Connections connections, ContentCatalog content, TimeProvider time) : BackgroundService
{
    /// <summary>How long to wait for the adapters before collecting anyway (one that never connects retries for ever).</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        try
        {
            while (!connections.AllConnected && time.GetElapsedTime(started) < Patience)
            {
                await Task.Delay(Poll, time, stoppingToken);
            }

            // The triage detector may still be building after readiness; its parsing garbage is much of what is collected.
            await content.TriageLoaded.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ContentException)
        {
            // Broken triage files: TriageLoading stops the bot.
            return;
        }

        // Aggressive: also returns the freed memory to the system instead of keeping it for later allocations.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
