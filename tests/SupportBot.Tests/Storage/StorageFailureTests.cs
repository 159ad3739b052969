using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Storage;

/// <summary>A database that is locked or full gets everyone a clear answer, keeps the bot running, and recovers.</summary>
public sealed class StorageFailureTests
{
    private static readonly string[] People = ["bea", "cid", "dee"];

    [Fact]
    public async Task A_database_locked_past_the_busy_timeout_answers_everyone_and_the_next_message_works()
    {
        using var core = new CoreHarness(settings: new Dictionary<string, string?> { ["Storage:BusyTimeoutSeconds"] = "1" });
        await core.Bot.QueueDisclosureAsync(Say.Member("alice"), "warm-up words");

        using (var holder = Open(core.DatabasePath))
        {
            holder.Execute("BEGIN EXCLUSIVE;");
            var answers = await Task.WhenAll(People.Select(p => core.Bot.HandleAsync(Say.Dm(Say.Member(p), $"locked words from {p}"), default)));

            Assert.All(answers, a => Assert.Equal(core.Content.Messages.StorageFailed, a.Single().Text().Trim()));
            holder.Execute("ROLLBACK;");
        }

        await AssertRecoveredAsync(core);
        Assert.Contains("busy", core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("locked words", core.Logs.AllText, StringComparison.Ordinal);
    }

    [TmpfsFact]
    public async Task A_full_disk_answers_everyone_and_the_next_message_works_once_there_is_room()
    {
        using var folder = new TempFolder("full");
        using var disk = TmpfsFactAttribute.Mount(folder.File("disk"), "4m");
        using var core = new CoreHarness(settings: new Dictionary<string, string?> { ["Storage:Path"] = Path.Combine(disk.Folder, "supportbot.db") });
        await core.Bot.QueueDisclosureAsync(Say.Member("alice"), "warm-up words");

        disk.Fill();
        var answers = await Task.WhenAll(People.Select(p => core.Bot.HandleAsync(Say.Dm(Say.Member(p), $"words on a full disk from {p}"), default)));
        var command = await core.Bot.HandleAsync(Say.Command(Say.Member("eve"), "forget"), default);

        Assert.All(answers.Append(command), a => Assert.Equal(core.Content.Messages.StorageFailed, a.Single().Text().Trim()));
        Assert.Contains("disk full", core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("full disk from", core.Logs.AllText, StringComparison.Ordinal);

        disk.Free();
        await AssertRecoveredAsync(core);
        core.Services.Dispose();
        Database.CloseAll();
    }

    [Fact]
    public async Task The_real_process_answers_through_a_held_lock_stays_up_and_works_once_it_is_released()
    {
        using var folder = new TempFolder("locked");
        await using var bot = ConsoleProcess.Start(folder.Path, "--Storage:BusyTimeoutSeconds=1", "--Console:ShowLogs=true");
        await bot.DiscloseAsync("alice", "warm-up words");

        using (var holder = Open(Path.Combine(folder.Path, "supportbot.db")))
        {
            holder.Execute("BEGIN EXCLUSIVE;");
            await bot.SayAsync("bea (dm): words while locked", "[only bea] I couldn't save that");
            await bot.SayAsync("cid: /forget", "[only cid] I couldn't save that");
            await bot.SayAsync("vol: /claim", "[only vol] I couldn't save that");
            holder.Execute("ROLLBACK;");
        }

        await bot.SayAsync("bea (dm): words after the lock", "Stop and delete this");
        await bot.SayAsync("vol: /claim", "[dm vol]");
        Assert.Equal(0, await bot.EndInputAsync());
        Assert.Contains("busy", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("words while locked", bot.Errors, StringComparison.Ordinal);
    }

    private static async Task AssertRecoveredAsync(CoreHarness core)
    {
        foreach (var person in People)
        {
            var again = await core.Bot.HandleAsync(Say.Dm(Say.Member(person), $"second try from {person}"), default);
            Assert.Contains(again.Single().Choices(), c => c.ActionId.StartsWith("consent:", StringComparison.Ordinal));
        }
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        return db;
    }
}
