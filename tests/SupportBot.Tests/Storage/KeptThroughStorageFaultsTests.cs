using Dapper;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using SupportBot.Slack;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.MultiProcess;
using SupportBot.Tests.Slack;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Invariant 5 when the database fails after the ack, on the real process and on both providers: a survivor's message
/// stored in the inbox (so Slack was told it arrived) whose handling the database then refused is never dropped. The
/// survivor is told it is kept, not asked to send it again, and the process handles it at its next takeover once the
/// database works. The refusal is a trigger on Messages, so the inbox still takes the message in.
/// </summary>
public abstract class KeptThroughStorageFaultsTests(Store store) : IDisposable
{
    private readonly SharedDatabase _database = new(store);

    private static readonly Lazy<Messages> Texts = new(() => ContentCatalog.Load(TestPaths.Prompts).Messages);

    public void Dispose() => _database.Dispose();

    [StoreFact]
    public async Task A_stored_dm_whose_handling_the_database_refuses_is_kept_and_handled_once_storage_works_again()
    {
        const string Words = "he kept texting me at night after our sessions";
        await using var slack = await FakeSlack.StartAsync();
        await using var bot = ConsoleProcess.Start(_database.Folder,
        [
            .. _database.ProcessArgs, "--Storage:LeaseSeconds=3",
            $"--Slack:BotToken={FakeSlack.BotToken}", $"--Slack:AppToken={FakeSlack.AppToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
            "--Slack:VolunteerChannelId=CVOL", "--Slack:VolunteerUserIds:0=UVOL",
        ]);
        await slack.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(60));
        await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage("UWARM", "hello", "EvWarm")), TimeSpan.FromSeconds(30));
        await SlackSocketModeTests.PostedToAsync(slack, "DUWARM", 1, TimeSpan.FromSeconds(30));
        await using var db = await _database.Core.Get<Database>().OpenAsync(CancellationToken.None);

        // The inbox still takes the message in; storing it in a conversation fails, every time, until the trigger goes.
        await db.ExecuteAsync(store == Store.Postgres
            ? """
              CREATE FUNCTION RefuseMessages() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
              CREATE TRIGGER RefuseMessages BEFORE INSERT ON Messages FOR EACH ROW EXECUTE FUNCTION RefuseMessages();
              """
            : "CREATE TRIGGER RefuseMessages BEFORE INSERT ON Messages BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;");
        await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage("UFAULT", Words, "EvFault")), TimeSpan.FromSeconds(30));
        var told = await SlackSocketModeTests.PostedToAsync(slack, "DUFAULT", 1, TimeSpan.FromSeconds(30));
        Assert.Contains(SlackRenderer.Escape(Texts.Value.StorageDelayed), JsonText.Of(told[0].Args), StringComparison.Ordinal);
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL AND Payload IS NOT NULL"));

        await db.ExecuteAsync(store == Store.Postgres ? "DROP TRIGGER RefuseMessages ON Messages;" : "DROP TRIGGER RefuseMessages;");
        var welcome = await SlackSocketModeTests.PostedToAsync(slack, "DUFAULT", 2, TimeSpan.FromSeconds(30));
        Assert.Contains(SlackTestHost.ActionIds(welcome[1].Args), a => a.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        Assert.Equal(0, await bot.TerminateAsync());

        var transcript = await StoredTranscript.ReadAsync(_database.Core.Get<ConversationStore>(), new Address(Platform.Slack, "UFAULT"), new Address(Platform.Slack, "UVOL"));
        Assert.Equal([Words], transcript.Select(e => e.Text));
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL"));
        Assert.Contains("kept in the inbox after storage failures", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain(Words, bot.Errors, StringComparison.Ordinal);
    }

}

public sealed class KeptThroughStorageFaultsOnSqlite() : KeptThroughStorageFaultsTests(Store.Sqlite);

public sealed class KeptThroughStorageFaultsOnPostgres() : KeptThroughStorageFaultsTests(Store.Postgres), IOnPostgres;
