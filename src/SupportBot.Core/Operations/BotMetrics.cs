using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dapper;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Operations;

/// <summary>
/// What an admin watches: how many wait, how long they wait, and whether replies and connections fail. Counts
/// and durations only; a tag is a priority, an outcome or a platform, never an id or anything a person wrote.
/// </summary>
public sealed class BotMetrics : IDisposable
{
    public const string MeterName = "SupportBot";

    // People wait minutes to hours, not milliseconds: buckets from 10 seconds to a day.
    private static readonly InstrumentAdvice<double> Waits = new() { HistogramBucketBoundaries = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400] };

    private readonly Meter _meter = new(MeterName);
    private readonly Database _database;
    private readonly Histogram<double> _waitToClaim;
    private readonly Histogram<double> _timeToFirstReply;
    private readonly Counter<long> _claims;
    private readonly Counter<long> _closes;
    private readonly Counter<long> _deliveriesFailed;
    private readonly Counter<long> _reconnects;

    // When each claimed conversation was queued, until its volunteer's first reply; in memory only, so a restart
    // between a claim and the first reply leaves that one reply unmeasured.
    private readonly ConcurrentDictionary<long, DateTimeOffset> _awaitingFirstReply = new();

    public BotMetrics(Database database)
    {
        _database = database;
        _meter.CreateObservableGauge("supportbot.queue.length", ObserveQueue, "{conversation}", "Conversations waiting for a volunteer, by priority.");
        _waitToClaim = _meter.CreateHistogram("supportbot.queue.wait", "s", "From joining the queue to a volunteer's claim.", advice: Waits);
        _timeToFirstReply = _meter.CreateHistogram("supportbot.reply.first", "s", "From joining the queue to the volunteer's first message.", advice: Waits);
        _claims = _meter.CreateCounter<long>("supportbot.claims", "{claim}", "Conversations claimed by a volunteer.");
        _closes = _meter.CreateCounter<long>("supportbot.closes", "{close}", "Conversations closed, by outcome.");
        _deliveriesFailed = _meter.CreateCounter<long>("supportbot.deliveries.failed", "{reply}", "Replies that could not be delivered, by platform.");
        _reconnects = _meter.CreateCounter<long>("supportbot.gateway.reconnects", "{reconnect}", "Platform sessions established again after the first.");
    }

    public void Claimed(Conversation conversation, DateTimeOffset now)
    {
        _claims.Add(1);
        if (conversation.QueuedAt is { } queued)
        {
            _waitToClaim.Record(Seconds(now - queued));
            _awaitingFirstReply.TryAdd(conversation.Id, queued);
        }
    }

    public void VolunteerReplied(long conversationId, DateTimeOffset now)
    {
        if (_awaitingFirstReply.TryRemove(conversationId, out var queued))
        {
            _timeToFirstReply.Record(Seconds(now - queued));
        }
    }

    public void Closed(long conversationId, string outcome)
    {
        _awaitingFirstReply.TryRemove(conversationId, out _);
        _closes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void DeliveryFailed(Platform platform) =>
        _deliveriesFailed.Add(1, new KeyValuePair<string, object?>("platform", platform.ToString().ToLowerInvariant()));

    public void Reconnected(Platform platform) =>
        _reconnects.Add(1, new KeyValuePair<string, object?>("platform", platform.ToString().ToLowerInvariant()));

    public void Dispose() => _meter.Dispose();

    private static double Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds);

    // Read at each scrape rather than counted in memory, so it is right after a restart and across processes.
    private IEnumerable<Measurement<long>> ObserveQueue()
    {
        var counts = new Dictionary<Priority, long> { [Priority.Normal] = 0, [Priority.Urgent] = 0 };
        using (var db = _database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult())
        {
            foreach (var row in db.Query<QueueCountRow>(
                "SELECT Priority, COUNT(*) AS Count FROM Conversations WHERE Status = 'Queued' GROUP BY Priority"))
            {
                counts[(Priority)row.Priority] = row.Count;
            }
        }

        return counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("priority", c.Key.ToString().ToLowerInvariant())));
    }
}
