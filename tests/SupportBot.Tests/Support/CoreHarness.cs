using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;

namespace SupportBot.Tests.Support;

/// <summary>
/// The real core over a fresh SQLite file in a temp folder, with a controllable clock and captured logs.
/// Dispose deletes the folder.
/// </summary>
public sealed class CoreHarness : IDisposable
{
    private static readonly Lazy<ContentCatalog> RealContent = new(() => ContentCatalog.Load(TestPaths.Prompts));

    public CoreHarness(Action<IServiceCollection>? configure = null, IDictionary<string, string?>? settings = null)
    {
        Directory = _folder.Path;
        DatabasePath = Path.Combine(Directory, "supportbot.db");
        var config = new Dictionary<string, string?> { ["Storage:Path"] = DatabasePath };
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

    public string Directory { get; }

    public string DatabasePath { get; }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public CapturingLoggerProvider Logs { get; } = new();

    public ServiceProvider Services { get; }

    public Bot Bot => Services.GetRequiredService<Bot>();

    public ContentCatalog Content => Services.GetRequiredService<ContentCatalog>();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public void Dispose()
    {
        Services.Dispose();
        Database.CloseAll();
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
