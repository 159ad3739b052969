using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;

namespace SupportBot.Core.Storage;

/// <summary>
/// The inbox and the one dedupe: a row per state-changing inbound event, keyed by the keyed hash of its platform event
/// id. The event is stored sealed (<see cref="AcceptAsync"/>) before the platform is told it arrived, so a crash after
/// that loses nothing: the row is handled on the next start. While an event is handled (<see cref="Handling"/>) every
/// write it makes marks its row handled in the same transaction, and drops the payload, so a replay after a crash
/// finds either the work and the mark or neither.
/// </summary>
public sealed partial class InboxStore(Database database, MessageCipher cipher, PersonIds ids, TimeProvider clock, ILogger<InboxStore> logger)
{
    private const string MarkSql = "UPDATE Inbox SET HandledAt = @now, Payload = NULL WHERE EventId = @key AND HandledAt IS NULL";

    /// <summary>Stores the event, sealed, unhandled; false when its id was stored before. Durable when this returns.</summary>
    public Task<bool> AcceptAsync(Inbound inbound, CancellationToken ct)
    {
        var key = ids.Key(inbound.EventId);
        var args = new
        {
            key,
            platform = inbound.Actor.Platform.ToString(),
            payload = cipher.Encrypt(JsonSerializer.Serialize(StoredInbound.From(inbound)), Context(key)),
            now = Now(),
        };
        return database.WriteAsync(
            (db, tx) => db.Execute("INSERT INTO Inbox (EventId, Platform, Payload, ReceivedAt) VALUES (@key, @platform, @payload, @now) ON CONFLICT (EventId) DO NOTHING", args, tx) == 1,
            ct);
    }

    /// <summary>True when a stored event is still waiting to be handled.</summary>
    public async Task<bool> IsPendingAsync(string eventId, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM Inbox WHERE EventId = @key AND HandledAt IS NULL", new { key = ids.Key(eventId) }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// Until the scope is disposed, every write of this flow also marks the event handled, in the same transaction;
    /// <see cref="WriteMark.IsCommitted"/> then says whether one did.
    /// </summary>
    internal WriteMark.Scope Handling(string eventId)
    {
        var key = ids.Key(eventId);
        return WriteMark.Begin((db, tx) => db.Execute(MarkSql, new { key, now = Now() }, tx));
    }

    /// <summary>Marks a stored event handled and drops its words: for an event whose handling wrote nothing.</summary>
    public Task MarkHandledAsync(string eventId, CancellationToken ct)
    {
        var args = new { key = ids.Key(eventId), now = Now() };
        return database.WriteAsync((db, tx) => db.Execute(MarkSql, args, tx), ct);
    }

    /// <summary>Stored events of a platform not handled yet, oldest first. A row that cannot be opened is logged and marked handled.</summary>
    public async Task<IReadOnlyList<Inbound>> PendingAsync(Platform platform, CancellationToken ct)
    {
        List<(string EventId, byte[] Payload)> rows;
        await using (var db = await database.OpenAsync(ct))
        {
            rows = (await db.QueryAsync<(string EventId, byte[] Payload)>(new CommandDefinition(
                "SELECT EventId, Payload FROM Inbox WHERE HandledAt IS NULL AND Platform = @platform ORDER BY ReceivedAt, Seq",
                new { platform = platform.ToString() }, cancellationToken: ct))).ToList();
        }

        var pending = new List<Inbound>(rows.Count);
        foreach (var (key, payload) in rows)
        {
            try
            {
                pending.Add(JsonSerializer.Deserialize<StoredInbound>(cipher.Decrypt(payload, Context(key)))!.ToInbound());
            }
            catch (Exception e) when (e is CryptographicException or JsonException or NullReferenceException)
            {
                LogUnreadable(platform, e.GetType().Name);
                var args = new { key, now = Now() };
                await database.WriteAsync((db, tx) => db.Execute(MarkSql, args, tx), ct);
            }
        }

        return pending;
    }

    private static string Context(string key) => "inbox:" + key;

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Error, Message = "A stored {Platform} event could not be opened ({Failure}); it was dropped")]
    private partial void LogUnreadable(Platform platform, string failure);
}
