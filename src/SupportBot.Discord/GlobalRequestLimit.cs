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

    /// <summary>Waits until one more request fits in the last second; dispose the result when its answer is back.</summary>
    public async Task<IDisposable> WaitAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            var slot = await FreeSlotAsync(ct);
            var sent = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answeredAt[slot] = sent;
            return new Sent(sent, time);
        }
        finally
        {
            _turn.Release();
        }
    }

    // A slot is free when it never held a request or its request was answered a second ago. A request still in
    // flight may yet arrive at any moment, so its slot stays taken until its answer is back and a second has passed.
    private async Task<int> FreeSlotAsync(CancellationToken ct)
    {
        while (true)
        {
            var soonest = TimeSpan.MaxValue;
            for (var i = 0; i < _answeredAt.Length; i++)
            {
                if (_answeredAt[i] is not { } request)
                {
                    return i;
                }

                if (request.Task.IsCompleted)
                {
                    var left = TimeSpan.FromSeconds(1) - time.GetElapsedTime(request.Task.Result);
                    if (left <= TimeSpan.Zero)
                    {
                        return i;
                    }

                    soonest = left < soonest ? left : soonest;
                }
            }

            if (soonest != TimeSpan.MaxValue)
            {
                await Task.Delay(soonest, time, ct);
            }
            else
            {
                await Task.WhenAny(_answeredAt.Select(r => r!.Task)).WaitAsync(ct);
            }
        }
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>One request counted against the limit; disposing it records when it was answered (or failed).</summary>
    private sealed class Sent(TaskCompletionSource<long> answered, TimeProvider time) : IDisposable
    {
        public void Dispose() => answered.TrySetResult(time.GetTimestamp());
    }
}
