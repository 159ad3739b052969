using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Storage;

public sealed class UpgradeAndKeyTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task A_database_from_before_hashed_ids_keeps_working_after_the_upgrade_and_holds_no_plain_id()
    {
        OldDatabase.Create(_core.DatabasePath, _key);
        var survivor = new Actor(Address.Parse(OldDatabase.Survivor), "Rosalind", IsVolunteer: false);
        var volunteer = new Actor(Address.Parse(OldDatabase.Volunteer), "Old Vol", IsVolunteer: true);

        var relayed = await _core.Bot.HandleAsync(Say.Dm(survivor, "are you still there?"), default);
        var answered = await _core.Bot.HandleAsync(Say.Dm(volunteer, "yes, still here"), default);
        var queue = await _core.Bot.HandleAsync(Say.Command(volunteer, "queue"), default);

        Assert.Contains("are you still there?", relayed.DmTo(volunteer).Text(), StringComparison.Ordinal);
        Assert.Contains("Rosalind Treharne", relayed.DmTo(volunteer).Text(), StringComparison.Ordinal);
        Assert.Contains("yes, still here", answered.DmTo(survivor).Text(), StringComparison.Ordinal);
        Assert.Contains("#2", queue.OnlyTo(volunteer).Text(), StringComparison.Ordinal);
        Assert.Equal(OldDatabase.DraftWords, (await _core.Get<DraftStore>().GetAsync(survivor.Address, default))!.Answers.What);
        var trail = await _core.Get<ConversationStore>().AuditTrailAsync(1, default);
        Assert.Equal(_core.Get<PersonIds>().Key(volunteer.Address), trail[0].Volunteer);
        var held = await _core.Bot.HandleAsync(Say.Command(volunteer, "release"), default);
        Assert.Contains(held, r => r.Audience == new Audience.Direct(survivor.Address));

        var bytes = RawFiles.ReadDatabase(_core.DatabasePath);
        foreach (var plain in new[] { "555000111222333444", "UOLDVOL42", "oldbea" })
        {
            Assert.Equal(0, RawFiles.Count(bytes, plain));
        }
    }

    [Fact]
    public void A_database_from_before_the_key_check_refuses_a_different_key_and_changes_nothing()
    {
        OldDatabase.Create(_core.DatabasePath, _key);
        File.WriteAllText(Path.Combine(_core.Directory, "supportbot.key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        var refused = Assert.Throws<InvalidOperationException>(() => _core.Bot);

        Assert.Contains("encryption key does not open this database", refused.Message, StringComparison.Ordinal);
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _core.DatabasePath, Pooling = false }.ToString());
        Assert.Equal(2, db.ExecuteScalar<long>("PRAGMA user_version;"));
        Assert.Equal(OldDatabase.Survivor, db.ExecuteScalar<string>("SELECT Survivor FROM Conversations WHERE Id = 1"));
    }

    [Fact]
    public async Task Starting_again_with_another_key_is_refused_with_one_plain_sentence()
    {
        var first = new CoreHarness(settings: new Dictionary<string, string?>
        {
            ["Storage:Path"] = _core.DatabasePath,
            ["Storage:EncryptionKey"] = Convert.ToBase64String(_key),
        });
        await first.Bot.QueueDisclosureAsync(Say.Member("alice"), "words under the first key");
        first.Services.Dispose();
        Database.CloseAll();

        using var second = new CoreHarness(settings: new Dictionary<string, string?>
        {
            ["Storage:Path"] = _core.DatabasePath,
            ["Storage:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        var refused = Assert.Throws<InvalidOperationException>(() => second.Bot);

        Assert.DoesNotContain('\n', refused.Message);
        Assert.Contains("Storage:EncryptionKey", refused.Message, StringComparison.Ordinal);
        first.Dispose();
    }

    [Fact]
    public async Task The_real_process_exits_with_code_2_and_says_why_when_the_key_changed()
    {
        using var folder = new TempFolder("key");
        await using (var bot = ConsoleProcess.Start(folder.Path, $"--Storage:EncryptionKey={Convert.ToBase64String(_key)}"))
        {
            await bot.DiscloseAsync("alice", "words under the first key");
            Assert.Equal(0, await bot.EndInputAsync());
        }

        await using var again = ConsoleProcess.Start(folder.Path, $"--Storage:EncryptionKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}");

        Assert.Equal(2, await again.WaitForExitAsync());
        Assert.Contains("encryption key does not open this database", again.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", again.Errors, StringComparison.Ordinal);
    }
}
