using System.Text.Json;
using Dapper;
using SupportBot.Core.Storage;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// A gateway session as the bot may resume it after a restart: its id, where to resume it, and the last sequence
/// whose direct messages are all in the inbox (<see cref="DiscordSequence"/>).
/// </summary>
internal sealed record DiscordSession(string SessionId, string? ResumeUrl, int Seq);

/// <summary>
/// Keeps each shard's <see cref="DiscordSession"/> in the Meta table, under the shard's number, so a restarted bot
/// resumes instead of identifying and Discord replays what it sent after that sequence; processes that split the shards
/// over one database each find their own. Nothing personal is in it: the id is useless without the token.
/// </summary>
internal sealed class DiscordSessionStore(Database database)
{
    private static string Name(int shard) => $"Discord:Session:{shard}";

    public async Task<DiscordSession?> LoadAsync(int shard, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var value = await db.ExecuteScalarAsync<byte[]?>(
            "SELECT Value FROM Meta WHERE Name = @name", new { name = Name(shard), ct });
        try
        {
            return value is null ? null : JsonSerializer.Deserialize(value, DiscordJson.Default.DiscordSession);
        }
        catch (JsonException)
        {
            // Unreadable: the bot identifies anew and backfills, as after an expired session.
            return null;
        }
    }

    public Task SaveAsync(int shard, DiscordSession session, CancellationToken ct)
    {
        var args = new { name = Name(shard), value = JsonSerializer.SerializeToUtf8Bytes(session, DiscordJson.Default.DiscordSession) };
        return database.WriteAsync(
            (db, tx) => db.Execute("INSERT INTO Meta (Name, Value) VALUES (@name, @value) ON CONFLICT (Name) DO UPDATE SET Value = excluded.Value", args, tx),
            ct);
    }
}
