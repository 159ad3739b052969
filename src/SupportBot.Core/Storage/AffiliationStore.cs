using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace SupportBot.Core.Storage;

/// <summary>
/// Conflict-of-interest screening. A volunteer declares communities or practitioners they are close to; a survivor may
/// name the one their conversation is about. Both are kept as the same keyed hash of the normalised name, so a match
/// is an equality in SQL and the database never holds the survivor's wording; the volunteer's own wording is sealed,
/// only so that /affiliations list can show it back to them.
/// </summary>
public sealed class AffiliationStore(Database database, MessageCipher cipher, PersonIds ids)
{
    /// <summary>Longest name accepted, in characters.</summary>
    public const int MaxLength = 100;

    /// <summary>Declares an affiliation; false when the volunteer had already declared the same name.</summary>
    public Task<bool> AddAsync(Address volunteer, string name, CancellationToken ct)
    {
        var key = ids.Key(volunteer);
        var args = new { key, tag = Tag(name), name = cipher.Encrypt(name.Trim(), NameContext(key)) };
        return database.WriteAsync(
            (db, tx) => db.Execute("INSERT INTO Affiliations (Volunteer, Tag, Name) VALUES (@key, @tag, @name) ON CONFLICT (Volunteer, Tag) DO NOTHING", args, tx) == 1, ct);
    }

    public Task<bool> RemoveAsync(Address volunteer, string name, CancellationToken ct)
    {
        var args = new { key = ids.Key(volunteer), tag = Tag(name) };
        return database.WriteAsync(
            (db, tx) => db.Execute("DELETE FROM Affiliations WHERE Volunteer = @key AND Tag = @tag", args, tx) == 1, ct);
    }

    /// <summary>The volunteer's declarations as they wrote them, in alphabetical order; one that cannot be opened is left out.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(Address volunteer, CancellationToken ct)
    {
        var key = ids.Key(volunteer);
        await using var db = await database.OpenAsync(ct);
        var sealedNames = await db.QueryAsync<byte[]>(
            "SELECT Name FROM Affiliations WHERE Volunteer = @key", new { key, ct });
        var names = new List<string>();
        foreach (var sealedName in sealedNames)
        {
            try
            {
                names.Add(cipher.Decrypt(sealedName, NameContext(key)));
            }
            catch (CryptographicException)
            {
                // A row written under another key says nothing useful; the others still show.
            }
        }

        // Sorted here: the rows are keyed by hashes, whose order says nothing.
        names.Sort(StringComparer.OrdinalIgnoreCase);
        return names;
    }

    /// <summary>
    /// Records the communities a survivor named for their own conversation, while no volunteer holds it yet. False when
    /// the conversation is not theirs or is no longer waiting.
    /// </summary>
    public Task<bool> TagConversationAsync(long id, Address survivor, IReadOnlyList<string> names, CancellationToken ct)
    {
        var key = ids.Key(survivor);
        var tags = names.Select(Tag).Distinct(StringComparer.Ordinal).ToList();
        return database.WriteAsync((db, tx) =>
        {
            var mine = db.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM Conversations WHERE Id = @id AND Survivor = @key AND Status IN ('Consent', 'Queued')", new { id, key }, tx) == 1;
            if (!mine)
            {
                return false;
            }

            foreach (var tag in tags)
            {
                db.Execute("INSERT INTO ConversationTags (ConversationId, Tag) VALUES (@id, @tag) ON CONFLICT (ConversationId, Tag) DO NOTHING", new { id, tag }, tx);
            }

            return true;
        }, ct);
    }

    /// <summary>Conversations that name something this volunteer declared: never listed for them, never claimable by them.</summary>
    public async Task<IReadOnlySet<long>> ExcludedForAsync(Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<long>(
            "SELECT DISTINCT t.ConversationId FROM ConversationTags t JOIN Affiliations a ON a.Tag = t.Tag WHERE a.Volunteer = @key",
            new { key = ids.Key(volunteer), ct });
        return rows.ToHashSet();
    }

    public async Task<bool> ConflictsAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM ConversationTags t JOIN Affiliations a ON a.Tag = t.Tag WHERE t.ConversationId = @id AND a.Volunteer = @key",
            new { id, key = ids.Key(volunteer), ct }) > 0;
    }

    /// <summary>
    /// "Dr. Jane  Smith", "dr jane smith" and "Jane Smith" are one name: case, punctuation, spacing, a leading "the"
    /// and a title are dropped before hashing. Different spellings or a nickname still do not match.
    /// </summary>
    public static string Normalise(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormKC).ToLowerInvariant())
        {
            text.Append(char.IsLetterOrDigit(c) ? c : ' ');
        }

        var words = text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        while (words.Count > 1 && Dropped.Contains(words[0]))
        {
            words.RemoveAt(0);
        }

        return string.Join(' ', words);
    }

    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "the", "dr", "mr", "mrs", "ms", "mx", "miss", "prof", "rev" };

    private string Tag(string name) => ids.Key("affiliation:" + Normalise(name));

    private static string NameContext(string volunteerKey) => string.Create(CultureInfo.InvariantCulture, $"affiliation:{volunteerKey}");
}
