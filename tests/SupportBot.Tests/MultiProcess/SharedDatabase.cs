using System.Security.Cryptography;
using Dapper;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.MultiProcess;

/// <summary>
/// One database that several bot processes share, with the one key they all use: the arguments each process starts
/// with, and a core of the test's own on the same database to count what is stored. On SQLite a file in a temp folder
/// (several processes on one file work, though one is the design); on PostgreSQL a fresh database on the test server.
/// </summary>
public sealed class SharedDatabase(Store store) : IDisposable
{
    private readonly TempFolder _folder = new("shared-db");
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _connectionString = store == Store.Postgres ? PostgresServer.Instance.CreateDatabase() : "";
    private CoreHarness? _core;

    /// <summary>The folder each process runs in (its working directory).</summary>
    public string Folder => _folder.Path;

    /// <summary>Storage arguments for a bot process, on top of what <see cref="ConsoleProcess.Start(string, string[])"/> gives.</summary>
    public IReadOnlyList<string> ProcessArgs => store == Store.Postgres
        ? [$"--Storage:Provider=postgres", $"--Storage:ConnectionString={_connectionString}", $"--Storage:EncryptionKey={_key}"]
        : [$"--Storage:Path={_folder.File("supportbot.db")}", $"--Storage:EncryptionKey={_key}"];

    /// <summary>A core of the test's own on the database (never started: no adapters, no timers), for counting.</summary>
    public CoreHarness Core => _core ??= new CoreHarness(
        settings: new Dictionary<string, string?>
        {
            ["Storage:Path"] = _folder.File("supportbot.db"),
            ["Storage:EncryptionKey"] = _key,
            ["Storage:ConnectionString"] = store == Store.Postgres ? _connectionString : null,
        },
        store: store);

    /// <summary>Stored events of a platform (Slack unless named) not handled yet, all of them or those one process holds.</summary>
    public async Task<long> PendingAsync(string? leasedBy = null, string platform = "Slack")
    {
        await using var db = await Core.Get<Database>().OpenAsync(default);
        var whose = leasedBy is null ? "" : " AND LeasedBy = @leasedBy";
        return await db.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL AND Platform = @platform" + whose, new { leasedBy, platform });
    }

    /// <summary>Events of a platform stored in the inbox, handled or not: what the processes took in (and, on Discord, may claim).</summary>
    public async Task<long> StoredAsync(string platform)
    {
        await using var db = await Core.Get<Database>().OpenAsync(default);
        return await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Inbox WHERE Platform = @platform", new { platform });
    }

    public void Dispose()
    {
        _core?.Dispose();
        Database.CloseAll();
        if (store == Store.Postgres)
        {
            PostgresServer.Instance.DropDatabase(_connectionString);
        }

        _folder.Dispose();
    }
}
