namespace SupportBot.Discord;

/// <summary>
/// Discord's global limit for the bot's own routes (DMs, member lookups, notices): at most N requests in any second.
/// It remembers when each of the last N requests was answered and lets the next one leave only a second after the
/// oldest of them was. Discord counts requests as they arrive, and a request has arrived by the time its answer is
/// back, so however long each trip takes, no second at Discord sees more than N. A token bucket
/// (System.Threading.RateLimiting) lets its full bucket plus a second's refill through at a window's edge, and counts
/// departures, not arrivals: a slow first trip then bunches with the next second's requests.
/// </summary>
internal sealed class GlobalRequestLimit(int perSecond, TimeProvider time) : IDisposable
{
    private readonly TaskCompletionSource<long>?[] _answeredAt = new TaskCompletionSource<long>?[perSecond];
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _next;

    /// <summary>Waits until one more request fits in the last second; dispose the result when its answer is back.</summary>
    public async Task<IDisposable> WaitAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_answeredAt[_next] is { } oldest)
            {
                var answeredAt = await oldest.Task.WaitAsync(ct).ConfigureAwait(false);
                var wait = TimeSpan.FromSeconds(1) - time.GetElapsedTime(answeredAt);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, ct).ConfigureAwait(false);
                }
            }

            var sent = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answeredAt[_next] = sent;
            _next = (_next + 1) % _answeredAt.Length;
            return new Sent(sent, time);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>One request counted against the limit; disposing it records when it was answered (or failed).</summary>
    private sealed class Sent(TaskCompletionSource<long> answered, TimeProvider time) : IDisposable
    {
        public void Dispose() => answered.TrySetResult(time.GetTimestamp());
    }
}
