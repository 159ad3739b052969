using Microsoft.Extensions.Logging;

namespace SupportBot.Discord;

/// <summary>
/// Interactions whose initial response could not go within Discord's three seconds (a backlog: Discord would refuse
/// it, 10062), so none was sent. A burst can make thousands; one log line each would slow the bot further (the console
/// logger blocks when its queue is full), so they are counted and logged at most once a second, the rest with the next.
/// </summary>
internal sealed partial class DiscordLateAnswers(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(1);

    private long _total;
    private long _logged;
    private long _lastLogAt = long.MinValue;

    public void Add()
    {
        var total = Interlocked.Increment(ref _total);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastLogAt);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= LogEvery) && Interlocked.CompareExchange(ref _lastLogAt, now, last) == last)
        {
            LogLate(total - Interlocked.Exchange(ref _logged, total), total);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} Discord interactions could not be answered within Discord's 3 s (a backlog), so no late answer was sent ({Total} since start)")]
    private partial void LogLate(long count, long total);
}
