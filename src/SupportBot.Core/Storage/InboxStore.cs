using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;

namespace SupportBot.Core.Storage;

/// <summary>
/// The inbox and the one dedupe: a row per inbound event, keyed by the keyed hash of its platform event id. An adapter
/// that acknowledges stores the event sealed (<see cref="AcceptAsync"/>) before it acks, so a crash after the ack
/// loses nothing: the row is handled on the next start. Handling marks the row handled and drops the payload.
/// Adapters that do not store first mark the row handled at once (<see cref="TryMarkAsync"/>), as before.
/// </summary>
public sealed partial class InboxStore(Database database, MessageCipher cipher, PersonIds ids, TimeProvider clock, ILogger<InboxStore> logger)
{
    /// <summary>Stores the event, sealed, unhandled; false when its id was stored before. Committed when this returns.</summary>
    public async Task<bool> AcceptAsync(Inbound inbound, CancellationToken ct)
    {
        var key = ids.Key(inbound.EventId);
        var payload = cipher.Encrypt(JsonSerializer.Serialize(StoredInbound.From(inbound)), Context(key));
        await using var db = await database.OpenAsync(ct);
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO Inbox (EventId, Platform, Payload, ReceivedAt) VALUES (@key, @platform, @payload, @now)",
            new { key, platform = inbound.Actor.Platform.ToString(), payload, now = Now() }, cancellationToken: ct));
        return changed == 1;
    }

    /// <summary>Records an event as handled straight away; false when it was already recorded.</summary>
    public async Task<bool> TryMarkAsync(Inbound inbound, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var now = Now();
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO Inbox (EventId, Platform, Payload, ReceivedAt, HandledAt) VALUES (@key, @platform, NULL, @now, @now)",
            new { key = ids.Key(inbound.EventId), platform = inbound.Actor.Platform.ToString(), now }, cancellationToken: ct));
        return changed == 1;
    }

    /// <summary>Forgets a mark whose handling failed, so that the platform's retry is handled.</summary>
    public async Task UnmarkAsync(string eventId, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM Inbox WHERE EventId = @key", new { key = ids.Key(eventId) }, cancellationToken: ct));
    }

    /// <summary>True when a stored event is still waiting to be handled.</summary>
    public async Task<bool> IsPendingAsync(string eventId, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM Inbox WHERE EventId = @key AND HandledAt IS NULL", new { key = ids.Key(eventId) }, cancellationToken: ct)) == 1;
    }

    /// <summary>Marks a stored event handled and drops its words.</summary>
    public async Task MarkHandledAsync(string eventId, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE Inbox SET HandledAt = @now, Payload = NULL WHERE EventId = @key AND HandledAt IS NULL",
            new { key = ids.Key(eventId), now = Now() }, cancellationToken: ct));
    }

    /// <summary>Stored events of a platform not handled yet, oldest first. A row that cannot be opened is logged and marked handled.</summary>
    public async Task<IReadOnlyList<Inbound>> PendingAsync(Platform platform, CancellationToken ct)
    {
        List<(string EventId, byte[] Payload)> rows;
        await using (var db = await database.OpenAsync(ct))
        {
            rows = (await db.QueryAsync<(string EventId, byte[] Payload)>(new CommandDefinition(
                "SELECT EventId, Payload FROM Inbox WHERE HandledAt IS NULL AND Platform = @platform ORDER BY ReceivedAt, rowid",
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
                await using var db = await database.OpenAsync(ct);
                await db.ExecuteAsync(new CommandDefinition(
                    "UPDATE Inbox SET HandledAt = @now, Payload = NULL WHERE EventId = @key", new { key, now = Now() }, cancellationToken: ct));
            }
        }

        return pending;
    }

    private static string Context(string key) => "inbox:" + key;

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Error, Message = "A stored {Platform} event could not be opened ({Failure}); it was dropped")]
    private partial void LogUnreadable(Platform platform, string failure);
}
