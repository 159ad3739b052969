using System.Diagnostics.CodeAnalysis;

namespace SupportBot.Discord;

/// <summary>
/// Discord's global limit for the bot's own routes (DMs, member lookups, notices): at most N requests in any second.
/// It holds N slots, one per request in flight or answered less than a second ago, and lets a request leave only when
/// a slot is free. Discord counts requests as they arrive, and a request has arrived by the time its answer is
/// back, so however long each trip takes, no second at Discord sees more than N. A token bucket
/// (System.Threading.RateLimiting) lets its full bucket plus a second's refill through at a window's edge, and counts
/// departures, not arrivals: a slow first trip then bunches with the next second's requests.
/// </summary>
internal sealed class GlobalRequestLimit(int perSecond, TimeProvider time) : IDisposable
{
    private readonly TaskCompletionSource<long>?[] _answeredAt = new TaskCompletionSource<long>?[perSecond];
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _lock = new();

    // The slot handed out longest ago, looked at first: when the limit is not reached it is free, so a request takes
    // its slot in one step rather than a look at every slot used in the last second.
    private int _next;

    // Requests waiting their turn for a slot; while any wait, a newcomer queues behind them (first come, first sent).
    private int _waiting;

    /// <summary>Waits until one more request fits in the last second; dispose the result when its answer is back.</summary>
    public async Task<IDisposable> WaitAsync(CancellationToken ct)
    {
        // Below the limit nobody waits: the slot is taken here, with no hand-over between pool threads, which under
        // load cost each DM several milliseconds in line behind the others.
        lock (_lock)
        {
            if (_waiting == 0 && TryTake(out var sent, out _, out _))
            {
                return sent;
            }

            _waiting++;
        }

        try
        {
            await _turn.WaitAsync(ct);
            try
            {
                return await FreeSlotAsync(ct);
            }
            finally
            {
                _turn.Release();
            }
        }
        finally
        {
            lock (_lock)
            {
                _waiting--;
            }
        }
    }

    // A slot is free when it never held a request or its request was answered a second ago. A request still in
    // flight may yet arrive at any moment, so its slot stays taken until its answer is back and a second has passed.
    private async Task<Sent> FreeSlotAsync(CancellationToken ct)
    {
        while (true)
        {
            TimeSpan soonest;
            Task[]? inFlight;
            lock (_lock)
            {
                if (TryTake(out var sent, out soonest, out inFlight))
                {
                    return sent;
                }
            }

            if (inFlight is null)
            {
                await Task.Delay(soonest, time, ct);
            }
            else
            {
                await Task.WhenAny(inFlight).WaitAsync(ct);
            }
        }
    }

    // Called under _lock. Without a free slot: how long until the soonest frees, or (every slot in flight) their answers.
    private bool TryTake([NotNullWhen(true)] out Sent? sent, out TimeSpan soonest, out Task[]? inFlight)
    {
        soonest = TimeSpan.MaxValue;
        inFlight = null;
        for (var k = 0; k < _answeredAt.Length; k++)
        {
            var i = (_next + k) % _answeredAt.Length;
            var left = _answeredAt[i] is not { } request ? TimeSpan.Zero
                : request.Task.IsCompleted ? TimeSpan.FromSeconds(1) - time.GetElapsedTime(request.Task.Result)
                : TimeSpan.MaxValue;
            if (left <= TimeSpan.Zero)
            {
                var answered = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                _answeredAt[i] = answered;
                _next = (i + 1) % _answeredAt.Length;
                sent = new Sent(answered, time);
                return true;
            }

            soonest = left < soonest ? left : soonest;
        }

        sent = null;
        if (soonest == TimeSpan.MaxValue)
        {
            inFlight = [.. _answeredAt.Select(r => (Task)r!.Task)];
        }

        return false;
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>One request counted against the limit; disposing it records when it was answered (or failed).</summary>
    private sealed class Sent(TaskCompletionSource<long> answered, TimeProvider time) : IDisposable
    {
        public void Dispose() => answered.TrySetResult(time.GetTimestamp());
    }
}
