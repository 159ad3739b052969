using Dapper;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Invariants 5 and 9 for an event taken in and handled at once (<see cref="Bot.HandleOnceAsync"/>, what the Discord
/// adapter does with a DM when the person has nothing else waiting, and with every interaction): its inbox row rides on
/// the handling's write, one commit instead of two, and still every repeat is handled once, and words the database
/// refuses to store in a conversation are kept in the inbox, never lost.
/// </summary>
public abstract class InboxTakeInTests(Store store) : IDisposable
{
    private readonly CoreHarness _a = new(store: store);
    private CoreHarness? _b;

    public void Dispose()
    {
        _b?.Services.Dispose();
        _a.Dispose();
    }

    [StoreFact]
    public async Task A_first_dm_is_stored_with_its_inbox_row_in_one_commit_and_a_repeat_is_not_answered_again()
    {
        var bea = Say.Member("bea");
        var dm = Say.Dm(bea, "my counsellor keeps texting me late at night");
        var database = _a.Get<Database>();
        var commits = database.Commits;

        var first = await _a.Bot.HandleOnceAsync(dm, default);

        Assert.Contains(first!.DmTo(bea).Choices(), c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        Assert.Equal(1, database.Commits - commits);
        Assert.Null(await _a.Bot.HandleOnceAsync(dm, default));
        await using var db = await database.OpenAsync(default);
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Messages"));
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NOT NULL AND Payload IS NULL"));
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL"));
    }

    [StoreFact]
    public async Task An_event_whose_handling_writes_nothing_is_still_remembered_so_a_repeat_is_not_handled_again()
    {
        var dm = Say.Dm(Say.Member("bea"), "   ");

        Assert.Empty((await _a.Bot.HandleOnceAsync(dm, default))!);

        Assert.Null(await _a.Bot.HandleOnceAsync(dm, default));
        await using var db = await _a.Get<Database>().OpenAsync(default);
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NOT NULL"));
    }

    [StoreFact]
    public async Task An_event_another_process_stored_first_is_not_handled_here_and_nothing_of_it_is_stored_twice()
    {
        var bea = Say.Member("bea");
        var dm = Say.Dm(bea, "my coach asked me to keep our calls secret");
        _b = _a.AnotherProcess();
        Assert.Equal(Acceptance.Stored, await _b.Bot.AcceptAsync(dm, default));

        Assert.Null(await _a.Bot.HandleOnceAsync(dm, default));

        await using var db = await _a.Get<Database>().OpenAsync(default);
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Messages"));
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL AND Payload IS NOT NULL"));
        var handled = await _b.Bot.HandleAcceptedAsync(dm, default);
        Assert.Contains(handled.DmTo(bea).Choices(), c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Messages"));
    }

    [StoreFact]
    public async Task Words_the_database_refuses_to_store_in_a_conversation_are_kept_in_the_inbox_and_handled_once_it_works()
    {
        const string Words = "he kept texting me at night after our sessions";
        var bea = Say.Member("bea");
        var dm = Say.Dm(bea, Words);
        await using var db = await _a.Get<Database>().OpenAsync(default);
        await db.ExecuteAsync(store == Store.Postgres
            ? """
              CREATE FUNCTION RefuseMessages() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
              CREATE TRIGGER RefuseMessages BEFORE INSERT ON Messages FOR EACH ROW EXECUTE FUNCTION RefuseMessages();
              """
            : "CREATE TRIGGER RefuseMessages BEFORE INSERT ON Messages BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;");

        var told = await _a.Bot.HandleOnceAsync(dm, default);

        Assert.Equal(_a.Content.Messages.StorageDelayed, told!.OnlyTo(bea).Text().Trim());
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL AND Payload IS NOT NULL"));

        await db.ExecuteAsync(store == Store.Postgres ? "DROP TRIGGER RefuseMessages ON Messages;" : "DROP TRIGGER RefuseMessages;");
        var kept = Assert.Single(await _a.Bot.PendingAsync(bea.Address.Platform, default));
        var welcome = await _a.Bot.HandleAcceptedAsync(kept, default);

        Assert.Contains(welcome.DmTo(bea).Choices(), c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Messages"));
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL"));
        Assert.Null(await _a.Bot.HandleOnceAsync(dm, default));
    }
}

public sealed class InboxTakeInOnSqlite() : InboxTakeInTests(Store.Sqlite);

public sealed class InboxTakeInOnPostgres() : InboxTakeInTests(Store.Postgres), IOnPostgres;
