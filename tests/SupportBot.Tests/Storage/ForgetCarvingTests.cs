using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Storage;

/// <summary>Invariant 7: /forget leaves no recoverable bytes in the database or its WAL.</summary>
public sealed class ForgetCarvingTests : IDisposable
{
    private const string PersonId = "771234509876543210";
    private static readonly string[] Words =
    [
        "Zanzibar-lighthouse confession about Dr Pemberton",
        "second message mentioning the Okavango houseboat",
        "draft words about the Tillingham retreat",
    ];

    private readonly CoreHarness _core = new();
    private readonly Actor _person = new(new Address(Platform.Discord, PersonId), "Persephone Quillfeather", IsVolunteer: false);
    private readonly Actor _vol = Say.Volunteer("vol");

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task Invariant_7_forget_leaves_no_word_ciphertext_id_or_hash_in_the_database_or_wal_files()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(_person, Words[0]), default);
        var named = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:name:", StringComparison.Ordinal));
        await _core.Bot.HandleAsync(Say.Press(_person, named.ActionId), default);
        await _core.Bot.HandleAsync(Say.Dm(_person, Words[1]), default);
        await _core.Bot.HandleAsync(Say.Press(_vol, $"claim:{named.ActionId.Split(':')[2]}"), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "note", "volunteer note about the Okavango houseboat"), default);
        await _core.Get<DraftStore>().SaveAsync(_person.Address, DraftStep.Done, new DraftAnswers(What: Words[2]), kept: true, default);
        // Someone else's words stay: the deletion is about the person only.
        await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "bea keeps her story about Marrakesh");
        var hash = _core.Get<PersonIds>().Key(_person.Address);
        var blobs = SealedBlobsOf(hash);
        Assert.True(blobs.Count >= 6, $"expected messages, a note, a name, an address and a draft, found {blobs.Count}");
        Assert.All(blobs, b => Assert.True(RawFiles.Count(RawFiles.ReadDatabase(_core.DatabasePath), b) > 0));

        var forgot = await _core.Bot.HandleAsync(Say.Command(_person, "forget"), default);

        Assert.Contains("1 complaint draft", forgot.OnlyTo(_person).Text(), StringComparison.Ordinal);
        // Carved while the bot still holds the files open, as a copy taken at that moment would be.
        var bytes = RawFiles.ReadDatabase(_core.DatabasePath);
        Assert.Empty(RawFiles.Read(_core.DatabasePath + "-wal"));
        Assert.All(blobs, b => Assert.Equal(0, RawFiles.Count(bytes, b)));
        foreach (var text in Words.Concat([PersonId, hash, "Quillfeather", "Okavango"]))
        {
            Assert.Equal(0, RawFiles.Count(bytes, text));
        }

        var bea = await _core.Get<ConversationStore>().FindOpenAsync(Say.Member("bea").Address, default);
        Assert.NotNull(bea);
    }

    /// <summary>Every ciphertext stored about the person: message and note bodies, their shared name and address, their draft.</summary>
    private List<byte[]> SealedBlobsOf(string hash)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _core.DatabasePath, Pooling = false }.ToString());
        db.Open();
        var args = new { hash };
        return
        [
            .. db.Query<byte[]>("SELECT Body FROM Messages WHERE ConversationId IN (SELECT Id FROM Conversations WHERE Survivor = @hash)", args),
            .. db.Query<byte[]>("SELECT Body FROM Notes WHERE ConversationId IN (SELECT Id FROM Conversations WHERE Survivor = @hash)", args),
            .. db.Query<byte[]>("SELECT SharedName FROM Conversations WHERE Survivor = @hash", args),
            .. db.Query<byte[]>("SELECT SurvivorSealed FROM Conversations WHERE Survivor = @hash", args),
            .. db.Query<byte[]>("SELECT Answers FROM Drafts WHERE Person = @hash", args),
        ];
    }
}
