using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

/// <summary>
/// Invariants 5 and 9: a stored event replayed after a crash is stored once, whatever point the crash came at. The
/// crash is the first process stopping with the database as it was at that point; a second one opens the same file.
/// </summary>
public sealed class ReplayAfterCrashTests : IDisposable
{
    private readonly CoreHarness _before = new();
    private readonly Actor _bea = Say.Member("bea");
    private CoreHarness? _after;

    public void Dispose()
    {
        _after?.Dispose();
        _before.Dispose();
    }

    [Fact]
    public async Task A_crash_after_the_work_committed_leaves_nothing_to_replay_and_a_replay_stores_nothing_twice()
    {
        var dm = Say.Dm(_bea, "what happened in the sessions");
        Assert.Equal(Acceptance.Stored, await _before.Bot.AcceptAsync(dm, default));

        // The event's work, as the bot runs it, and then the crash: no reply sent, nothing else done.
        using (_before.Get<InboxStore>().Handling(dm.EventId))
        {
            await _before.Get<Intake>().HandleAsync(dm, default);
        }

        var after = Restart();
        Assert.Empty(await after.Bot.PendingAsync(Platform.Console, default));
        Assert.Empty(await after.Bot.HandleAcceptedAsync(dm, default));
        Assert.Equal((1, 1), Count());
    }

    [Fact]
    public async Task A_crash_before_the_work_leaves_the_event_pending_and_replaying_it_stores_it_once()
    {
        var dm = Say.Dm(_bea, "what happened in the sessions");
        Assert.Equal(Acceptance.Stored, await _before.Bot.AcceptAsync(dm, default));

        var after = Restart();
        var pending = Assert.Single(await after.Bot.PendingAsync(Platform.Console, default));
        var first = await after.Bot.HandleAcceptedAsync(pending, default);
        var again = await after.Bot.HandleAcceptedAsync(pending, default);

        Assert.Contains(first.DmTo(_bea).Choices(), c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        Assert.Empty(again);
        Assert.Empty(await after.Bot.PendingAsync(Platform.Console, default));
        Assert.Equal((1, 1), Count());
    }

    [Fact]
    public async Task An_event_whose_handling_wrote_nothing_is_marked_after_and_not_replayed()
    {
        var end = Say.Command(_bea, "end");

        Assert.NotEmpty(await _before.Bot.HandleAsync(end, default));

        var after = Restart();
        Assert.Empty(await after.Bot.PendingAsync(Platform.Console, default));
        Assert.Empty(await after.Bot.HandleAcceptedAsync(end, default));
    }

    /// <summary>Stops the first bot (its writer's connection closed) and starts a second on the same file and key.</summary>
    private CoreHarness Restart()
    {
        _before.Services.Dispose();
        Database.CloseAll();
        _after = new CoreHarness(settings: new Dictionary<string, string?> { ["Storage:Path"] = _before.DatabasePath });
        return _after;
    }

    private (long Conversations, long Messages) Count()
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _before.DatabasePath, Pooling = false }.ToString());
        db.Open();
        return (db.ExecuteScalar<long>("SELECT COUNT(*) FROM Conversations"), db.ExecuteScalar<long>("SELECT COUNT(*) FROM Messages"));
    }
}
