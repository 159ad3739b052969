using System.Globalization;
using Dapper;
using SupportBot.Core.Storage;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Slack;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;
using Xunit.Abstractions;

namespace SupportBot.Tests.MultiProcess;

/// <summary>
/// Issue 14, notices across processes, with real processes: a process that committed a queueing (the survivor's consent
/// press) and was killed before its adapter delivered the volunteer notice leaves the notice in the outbox, and another
/// process, on the same database over the fake Slack, delivers it once. "Killed between commit and delivery" is made
/// exact by the test fault Storage:TestFaultKillAfterOutboxWrite, which SIGKILLs the process right after the outbox
/// write (see <see cref="StorageOptions.TestFaultKillAfterOutboxWrite"/>).
/// </summary>
public abstract class OutboxAfterKillTests(Store store, ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const string VolunteerChannel = "CVOL";
    private const string Volunteer = "UVOL";

    private readonly SharedDatabase _database = new(store);
    private readonly BotProcesses _bots = new();
    private FakeSlack _slack = null!;

    public async Task InitializeAsync() => _slack = await FakeSlack.StartAsync();

    public async Task DisposeAsync()
    {
        await _bots.DisposeAsync();

        await _slack.DisposeAsync();
    }

    public void Dispose() => _database.Dispose();

    [StoreFact]
    public async Task A_volunteer_notice_a_killed_process_committed_and_never_delivered_is_delivered_once_by_the_other()
    {
        var (a, onA) = await StartBotAsync(testFault: true);
        var (b, onB) = await StartBotAsync(testFault: false);

        await _slack.ConsentAsync("USURV1", "EvFirst1", onA);
        Assert.Equal(137, await a.WaitForExitAsync());
        Assert.Contains("TEST FAULT", a.Errors, StringComparison.Ordinal);
        Assert.Empty(NoticesFor(1));

        // A stored the notice and died: B takes it over once A's lease (3 s) ran out, delivers it, and deletes the row.
        await SlackSocketModeTests.PostedToAsync(_slack, VolunteerChannel, 1, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => OutboxRows() == 0, TimeSpan.FromSeconds(30), "the delivered notice's outbox row deleted");

        // The sentinel: a second survivor queued on B, whose notice comes after anything B still had to send.
        await _slack.ConsentAsync("USURV2", "EvFirst2", onB);
        await SlackSocketModeTests.PostedToAsync(_slack, VolunteerChannel, 2, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => OutboxRows() == 0, TimeSpan.FromSeconds(30), "the sentinel notice's outbox row deleted");

        output.WriteLine($"{store}: notices of #1 posted {NoticesFor(1).Count} time(s), of #2 {NoticesFor(2).Count}.");
        Assert.Single(NoticesFor(1));
        Assert.Single(NoticesFor(2));
        // The notice and the survivor's place in the queue, stored with the press and answered in place by nobody.
        Assert.Contains("Delivering 2 stored replies", b.Errors, StringComparison.Ordinal);
        Assert.Single(_slack.CallsTo("chat.postMessage"), c => c.Args["channel"]?.GetValue<string>() == "DUSURV1"
            && c.Args.ToJsonString().Contains("number 1 in line", StringComparison.Ordinal));
        Assert.Equal(0, await b.TerminateAsync());
    }

    private async Task<(ConsoleProcess Bot, FakeSocket Socket)> StartBotAsync(bool testFault)
    {
        var connections = _slack.ConnectionCount;
        List<string> args =
        [
            .. _database.ProcessArgs, "--Storage:LeaseSeconds=3",
            $"--Slack:BotToken={FakeSlack.BotToken}", $"--Slack:AppToken={FakeSlack.AppToken}", $"--Slack:ApiBaseUrl={_slack.ApiBaseUrl}",
            $"--Slack:VolunteerChannelId={VolunteerChannel}", $"--Slack:VolunteerUserIds:0={Volunteer}",
        ];
        if (testFault)
        {
            args.Add("--Storage:TestFaultKillAfterOutboxWrite=true");
        }

        var bot = _bots.Start(_database.Folder, [.. args]);
        try
        {
            await _slack.WaitForConnectionsAsync(connections + 1, TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(() => bot.Errors.Contains("Inbox leases held as", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the lease loop started");
        }
        catch (TimeoutException)
        {
            output.WriteLine(bot.Errors);
            throw;
        }

        return (bot, _slack.Latest());
    }

    /// <summary>The volunteer channel posts that offer to claim conversation <paramref name="id"/>.</summary>
    private List<string> NoticesFor(long id) => _slack.CallsTo("chat.postMessage")
        .Where(c => c.Args["channel"]?.GetValue<string>() == VolunteerChannel)
        .Where(c => SlackTestHost.ActionIds(c.Args).Contains("claim:" + id.ToString(CultureInfo.InvariantCulture)))
        .Select(c => c.Args.ToJsonString())
        .ToList();

    private long OutboxRows()
    {
        using var db = _database.Core.Get<Database>().OpenAsync(default).GetAwaiter().GetResult();
        return db.ExecuteScalar<long>("SELECT COUNT(*) FROM Outbox");
    }
}

public sealed class OutboxAfterKillOnSqlite(ITestOutputHelper output) : OutboxAfterKillTests(Store.Sqlite, output);

public sealed class OutboxAfterKillOnPostgres(ITestOutputHelper output) : OutboxAfterKillTests(Store.Postgres, output), IOnPostgres;

/// <summary>
/// Issue 14 on the embedded default: one process on SQLite, killed after it committed a queueing and stored the
/// volunteer notice but before it printed it; started again on the same file, it prints the notice once.
/// </summary>
public sealed class OutboxAfterRestartTests : IDisposable
{
    private readonly TempFolder _folder = new("outbox-restart");

    public void Dispose()
    {
        Database.CloseAll();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_notice_stored_by_a_killed_process_is_printed_once_by_the_next_start()
    {
        await using (var killed = ConsoleProcess.Start(_folder.Path, "--Storage:LeaseSeconds=3", "--Storage:TestFaultKillAfterOutboxWrite=true"))
        {
            var welcome = await killed.SayAsync("wren (dm): my coach crossed a line", "Stop and delete this");
            await killed.SendAsync($"wren: [{ConsoleProcess.ChoiceNumber(welcome, "Yes, use a made-up name")}]");
            Assert.Equal(137, await killed.WaitForExitAsync());
            Assert.Contains("TEST FAULT", killed.Errors, StringComparison.Ordinal);
            Assert.DoesNotContain(killed.Seen.Concat(killed.Unread()), l => l.Contains("Claim #", StringComparison.Ordinal));
        }

        await using var next = ConsoleProcess.Start(_folder.Path, "--Storage:LeaseSeconds=3");
        await next.ExpectAsync("] Claim #1");

        // The sentinel: another survivor queued after the restart; their notice follows anything still to print.
        await next.DiscloseAsync("zoe", "my counsellor asked me out");
        Assert.Equal(0, await next.EndInputAsync());
        var lines = next.Seen.Concat(next.Unread()).ToList();
        Assert.Single(lines, l => l.EndsWith("] Claim #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }
}
