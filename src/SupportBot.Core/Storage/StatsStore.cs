using Dapper;

namespace SupportBot.Core.Storage;

/// <summary>
/// Counts for coordinators over conversations shared with volunteers (queued) since a moment: how they ended, how long
/// people waited for a claim and for a volunteer's first words. Numbers only; no row leaves this class.
/// </summary>
public sealed class StatsStore(Database database, TimeProvider clock)
{
    public async Task<ConversationStats> SinceAsync(TimeSpan window, CancellationToken ct)
    {
        var since = (clock.GetUtcNow() - window).ToUnixTimeMilliseconds();
        await using var db = await database.OpenAsync(ct);
        var rows = (await db.QueryAsync<StatsRow>(
            """
            SELECT c.Status, c.Outcome, c.QueuedAt, c.ClaimedAt,
                   (SELECT MIN(m.SentAt) FROM Messages m WHERE m.ConversationId = c.Id AND m.Sender = 'Volunteer') AS FirstReply
            FROM Conversations c WHERE c.QueuedAt IS NOT NULL AND c.QueuedAt >= @since
            """,
            new { since, ct })).ToList();

        var outcomes = rows
            .GroupBy(r => r.Status == "Closed" ? r.Outcome ?? "other" : "open")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count()))
            .ToList();
        return new ConversationStats(
            rows.Count,
            outcomes,
            Median(rows.Where(r => r.ClaimedAt is not null).Select(r => r.ClaimedAt!.Value - r.QueuedAt)),
            Median(rows.Where(r => r.FirstReply is not null).Select(r => r.FirstReply!.Value - r.QueuedAt)));
    }

    private static TimeSpan? Median(IEnumerable<long> milliseconds)
    {
        var sorted = milliseconds.Select(m => Math.Max(m, 0)).Order().ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var middle = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return TimeSpan.FromMilliseconds(median);
    }
}

/// <summary>Conversations queued in a window: how many, by outcome ("open" while not closed), and the two median waits.</summary>
public sealed record ConversationStats(int Total, IReadOnlyList<(string Outcome, int Count)> ByOutcome, TimeSpan? MedianWaitToClaim, TimeSpan? MedianToFirstReply);
