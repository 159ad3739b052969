using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Support;

/// <summary>
/// The real core over a fresh SQLite file in a temp folder, or a fresh database on the test run's PostgreSQL server
/// (the <c>store</c> argument), with a controllable clock and captured logs. Dispose deletes the folder and the database.
/// A second harness on the same PostgreSQL database (a second process) passes Storage:ConnectionString in its settings.
/// </summary>
public sealed class CoreHarness : IDisposable
{
    private static readonly Lazy<ContentCatalog> RealContent = new(() => ContentCatalog.Load(TestPaths.Prompts));

    public CoreHarness(Action<IServiceCollection>? configure = null, IDictionary<string, string?>? settings = null, Store store = Store.Sqlite)
    {
        Directory = _folder.Path;
        DatabasePath = Path.Combine(Directory, "supportbot.db");
        Store = store;
        var config = new Dictionary<string, string?> { ["Storage:Path"] = DatabasePath };
        if (store == Store.Postgres)
        {
            if (settings?.TryGetValue("Storage:ConnectionString", out var shared) == true && shared is not null)
            {
                ConnectionString = shared;
            }
            else
            {
                ConnectionString = PostgresServer.Instance.CreateDatabase();
                _ownsDatabase = true;
            }

            config["Storage:Provider"] = "postgres";
            config["Storage:ConnectionString"] = ConnectionString;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSupportBotCore(RealContent.Value);
        services.AddSingleton<TimeProvider>(Clock);
        configure?.Invoke(services);
        Services = services.BuildServiceProvider();
    }

    private readonly TempFolder _folder = new("core");
    private readonly bool _ownsDatabase;

    public string Directory { get; }

    /// <summary>The SQLite file (on PostgreSQL only the key file's folder is used).</summary>
    public string DatabasePath { get; }

    public Store Store { get; }

    /// <summary>The PostgreSQL database's connection string; empty on SQLite.</summary>
    public string ConnectionString { get; } = "";

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public CapturingLoggerProvider Logs { get; } = new();

    public ServiceProvider Services { get; }

    public Bot Bot => Services.GetRequiredService<Bot>();

    public ContentCatalog Content => Services.GetRequiredService<ContentCatalog>();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// A connection of the test's own, beside the bot's (as another program or a damaged disk would act): to the SQLite
    /// file without pooling, or to the PostgreSQL database.
    /// </summary>
    public DbConnection OpenRaw()
    {
        DbConnection connection = Store == Store.Postgres
            ? new Npgsql.NpgsqlConnection(ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, ForeignKeys = true }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Another process on this harness's database: its own services, writer and inbox lease owner. Dispose it with
    /// <c>Services.Dispose()</c>; the database itself belongs to this harness.
    /// </summary>
    public CoreHarness AnotherProcess() => new(
        settings: new Dictionary<string, string?> { ["Storage:Path"] = DatabasePath, ["Storage:ConnectionString"] = ConnectionString },
        store: Store);

    public void Dispose()
    {
        Services.Dispose();
        Database.CloseAll();
        if (_ownsDatabase)
        {
            PostgresServer.Instance.DropDatabase(ConnectionString);
        }

        _folder.Dispose();
    }
}

/// <summary>A clock that moves only when a test says so.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
