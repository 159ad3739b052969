using System.Security.Cryptography;
using Dapper;
using SupportBot.Core;
using SupportBot.Core.Storage;

namespace SupportBot.Discord;

/// <summary>
/// The Discord survivors with an open conversation, and when the bot last stored something they wrote: where a
/// backfill of their DM channel starts. Read-only over the conversation tables; no state of its own, so /forget
/// leaves nothing here behind.
/// </summary>
internal sealed class DiscordOpenConversations(Database database, PersonIds ids)
{
    public async Task<IReadOnlyList<(string UserId, DateTimeOffset LastStored)>> ListAsync(CancellationToken ct)
    {
        List<OpenConversationRow> rows;
        await using (var db = await database.OpenAsync(ct))
        {
            #pragma warning disable DAP018 // The token is the only member: Dapper.AOT 1.0.48 calls it an unused SQL parameter and does not pass it on, so a short statement runs to its end once started.
            rows = (await db.QueryAsync<OpenConversationRow>(
                """
                SELECT c.Survivor, c.SurvivorSealed,
                       COALESCE((SELECT MAX(m.SentAt) FROM Messages m WHERE m.ConversationId = c.Id AND m.Sender = 'Survivor'), c.CreatedAt) AS LastAt
                FROM Conversations c WHERE c.Status <> 'Closed'
                """, new { ct })).ToList();
            #pragma warning restore DAP018
        }

        var open = new List<(string, DateTimeOffset)>(rows.Count);
        foreach (var (key, sealedAddress, lastAt) in rows)
        {
            try
            {
                if (sealedAddress is not null && ids.Open(sealedAddress, key) is { Platform: Platform.Discord } survivor)
                {
                    open.Add((survivor.UserId, DateTimeOffset.FromUnixTimeMilliseconds(lastAt)));
                }
            }
            catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
            {
                // A row this key cannot open is left out of lists everywhere; the same here.
            }
        }

        return open;
    }
}

/// <summary>An open conversation's survivor and the time of their last message (a named type: Dapper.AOT reads no tuples).</summary>
internal readonly record struct OpenConversationRow(string Survivor, byte[]? SurvivorSealed, long LastAt);
