using System.Collections.Concurrent;

namespace SupportBot.Discord;

/// <summary>
/// Discord's limit on starting sessions: shards identify in buckets (<c>shard_id % max_concurrency</c>, from
/// GET /gateway/bot), one IDENTIFY per bucket every five seconds; one sent sooner is answered with INVALID_SESSION
/// (shared/research/protocols.md §2.4, Discord's "Max Concurrency"). Each shard takes a turn in its bucket before it
/// connects to identify, and the next turn in that bucket starts a little over five seconds after Discord answered that
/// IDENTIFY (or after its connection ended unanswered): counted from the send, a frame held up on the way arrived late.
/// Within one process; processes that split the shards do not see each other's turns, and a refused IDENTIFY is
/// retried after Discord's wait like any invalid session.
/// </summary>
internal sealed class DiscordIdentifyLimiter(TimeProvider time)
{
    /// <summary>Five seconds, and a margin for a connection that ended before its IDENTIFY was answered (it may still arrive).</summary>
    internal static readonly TimeSpan Spacing = TimeSpan.FromSeconds(5.2);

    private readonly ConcurrentDictionary<int, Bucket> _buckets = new();

    /// <summary>Waits for this shard's turn to identify; disposing the turn (once Discord answered the IDENTIFY, or the attempt ended) passes it on.</summary>
    public async Task<IDisposable> WaitTurnAsync(int shard, int maxConcurrency, CancellationToken ct)
    {
        var bucket = _buckets.GetOrAdd(shard % Math.Max(1, maxConcurrency), _ => new Bucket());
        await bucket.Gate.WaitAsync(ct);
        try
        {
            var wait = bucket.LastAnswered is { } next ? Spacing - time.GetElapsedTime(next) : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct);
            }
        }
        catch
        {
            bucket.Gate.Release();
            throw;
        }

        return new Turn(bucket, time);
    }

    private sealed class Bucket
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>When Discord answered the bucket's last IDENTIFY, or its connection ended (a monotonic timestamp), if ever.</summary>
        public long? LastAnswered { get; set; }
    }

    private sealed class Turn(Bucket bucket, TimeProvider time) : IDisposable
    {
        private int _passed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _passed, 1) == 0)
            {
                bucket.LastAnswered = time.GetTimestamp();
                bucket.Gate.Release();
            }
        }
    }
}
