using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Extensions.Logging;

namespace SupportBot.Core.Storage;

/// <summary>
/// Which question of the complaint companion a person is on. Stored drafts hold the name as text, and the order
/// of questions is set by ComplaintCompanion, not by these numbers; new steps go at the end.
/// </summary>
public enum DraftStep
{
    Profession,
    Region,
    What,
    When,
    Evidence,
    Wants,
    Keep,
    Done,

    /// <summary>The state or province, asked after <see cref="Region"/> when the country has them.</summary>
    Subregion,
}

/// <summary>What a person has answered so far; any answer may be skipped (null or empty).</summary>
public sealed record DraftAnswers(
    string? Profession = null,
    string? Region = null,
    string? What = null,
    string? When = null,
    IReadOnlyList<string>? Evidence = null,
    IReadOnlyList<string>? Wants = null,
    string? Subregion = null);

public sealed record Draft(DraftStep Step, DraftAnswers Answers, bool Kept, DateTimeOffset UpdatedAt);

/// <summary>
/// The complaint companion's answers, one row per person, encrypted like every message. A row lives while the
/// flow runs and is deleted when it ends, unless the person asked to keep a copy; /forget deletes it too. Rows are
/// keyed by the person's keyed hash; the plain address only binds the ciphertext (associated data), never stored.
/// </summary>
public sealed partial class DraftStore(Database database, MessageCipher cipher, PersonIds ids, TimeProvider clock, ILogger<DraftStore> logger)
{
    public async Task<Draft?> GetAsync(Address person, CancellationToken ct)
    {
        await using var db = await database.OpenReaderAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<DraftRow>(
            "SELECT Step, Answers, Kept, UpdatedAt FROM Drafts WHERE Person = @person",
            new { person = ids.Key(person), ct });
        if (row.Answers is null)
        {
            return null;
        }

        DraftAnswers answers;
        try
        {
            answers = JsonSerializer.Deserialize(cipher.Decrypt(row.Answers, Context(person)), DraftJson.Default.DraftAnswers)!;
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            // Treated as no draft, so the person's direct messages keep working; starting again overwrites it.
            LogUnreadable();
            return null;
        }

        return new Draft(Enum.Parse<DraftStep>(row.Step), answers, row.Kept == 1, DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
    }

    public Task SaveAsync(Address person, DraftStep step, DraftAnswers answers, bool kept, CancellationToken ct)
    {
        var args = new
        {
            person = ids.Key(person),
            step = step.ToString(),
            answers = cipher.Encrypt(JsonSerializer.Serialize(answers, DraftJson.Default.DraftAnswers), Context(person)),
            kept = kept ? 1 : 0,
            now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        return database.WriteAsync(
            (db, tx) => db.Execute(
                """
                INSERT INTO Drafts (Person, Step, Answers, Kept, UpdatedAt) VALUES (@person, @step, @answers, @kept, @now)
                ON CONFLICT (Person) DO UPDATE SET Step = excluded.Step, Answers = excluded.Answers, Kept = excluded.Kept, UpdatedAt = excluded.UpdatedAt
                """,
                args, tx),
            ct);
    }

    /// <summary>Deletes the person's draft; the number of drafts deleted (0 or 1).</summary>
    public Task<int> DeleteAsync(Address person, CancellationToken ct)
    {
        var args = new { person = ids.Key(person) };
        return database.WriteAsync((db, tx) => db.Execute("DELETE FROM Drafts WHERE Person = @person", args, tx), ct);
    }

    /// <summary>Deletes flows that were left unfinished and not kept.</summary>
    public Task<int> SweepAsync(DateTimeOffset abandonedBefore, CancellationToken ct)
    {
        var args = new { before = abandonedBefore.ToUnixTimeMilliseconds() };
        return database.WriteAsync((db, tx) => db.Execute("DELETE FROM Drafts WHERE Kept = 0 AND UpdatedAt < @before", args, tx), ct);
    }

    private static string Context(Address person) => $"draft:{person}";

    [LoggerMessage(Level = LogLevel.Error, Message = "A complaint draft cannot be decrypted; it is treated as absent")]
    private partial void LogUnreadable();
}

[JsonSerializable(typeof(DraftAnswers))]
internal sealed partial class DraftJson : JsonSerializerContext;
