using System.Diagnostics;

internal static class Pacer
{
    /// <summary>
    /// Sends <paramref name="count"/> items at <paramref name="perSecond"/> (0: as fast as they go), on schedule from the
    /// start, so a slow send is caught up rather than stretching the run; returns when each was sent (Stopwatch ticks).
    /// It sleeps rather than spins: the load generator shares the machine's cores with the bot under test.
    /// </summary>
    public static async Task<long[]> SendAsync(int count, double perSecond, Func<int, Task> send)
    {
        var sentAt = new long[count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            if (perSecond > 0)
            {
                var due = start + (long)(i * Stopwatch.Frequency / perSecond);
                while (Stopwatch.GetTimestamp() < due)
                {
                    await Task.Delay(1);
                }
            }

            sentAt[i] = Stopwatch.GetTimestamp();
            await send(i);
        }

        return sentAt;
    }

    /// <summary>Waits until <paramref name="done"/> reaches <paramref name="target"/>, or nothing new came for <paramref name="quiet"/>.</summary>
    public static async Task WaitAsync(Func<int> done, int target, TimeSpan quiet)
    {
        var last = -1;
        var lastChange = Stopwatch.GetTimestamp();
        while (done() is var now && now < target)
        {
            if (now != last)
            {
                last = now;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > quiet)
            {
                return;
            }

            await Task.Delay(20);
        }
    }

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
