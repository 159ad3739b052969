using System.Reflection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using SupportBot;
using SupportBot.ConsoleChat;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Operations;
using SupportBot.Core.Storage;
using SupportBot.Discord;
using SupportBot.Operations;
using SupportBot.Slack;

var invocation = Invocation.Parse(args);
if (invocation.Problem is { } usageProblem)
{
    await Console.Error.WriteLineAsync(usageProblem + " See --help.");
    return 2;
}

switch (invocation.Verb)
{
    case Verb.Help:
        await Console.Out.WriteLineAsync(Invocation.Usage);
        return 0;
    case Verb.Version:
        await Console.Out.WriteLineAsync("SupportBot " + (typeof(Bot).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"));
        return 0;
}

// appsettings.json is read once: nothing here reloads options, and watching the file costs a watcher thread.
var hostDefaults = new ConfigurationManager();
hostDefaults.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = invocation.ConfigurationArgs, Configuration = hostDefaults });

// Environment variables must not beat --Section:Key, so the command line is added again after them.
builder.Configuration.AddEnvironmentVariables(ConfigurationCheck.Prefix).AddCommandLine(invocation.ConfigurationArgs);

if (invocation.Verb == Verb.Health)
{
    return await HealthProbe.RunAsync(builder.Configuration);
}

// Standard output belongs to the console adapter's line protocol; every log goes to standard error.
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

if (ConfigurationCheck.IncompletePlatform(builder.Configuration) is { } incomplete)
{
    await Console.Error.WriteLineAsync("SupportBot cannot start: " + incomplete);
    return 2;
}

var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
if (invocation.Verb == Verb.Backup)
{
    return await Backups.BackupAsync(storage, invocation.File!, invocation.WithKey);
}

ContentCatalog content;
try
{
    // The triage detector is built on another thread meanwhile; a direct message waits for it (ContentCatalog.Triage).
    content = ContentCatalog.LoadDeferringTriage(builder.Configuration["Content:Path"] ?? Path.Combine(AppContext.BaseDirectory, "prompts"));
}
catch (ContentException e)
{
    await Console.Error.WriteLineAsync("SupportBot cannot start: a content file is broken.\n" + e.Message);
    return 2;
}

// Started first, so /readyz answers 503 while the adapters connect.
builder.AddOperations();
builder.Services.AddSupportBotCore(content);

// Each platform adapter registers itself only when its credentials are configured; with none, the console runs.
var adapters = new List<Platform>();
if (builder.AddDiscordAdapterIfConfigured())
{
    adapters.Add(Platform.Discord);
}

if (builder.AddSlackAdapterIfConfigured())
{
    adapters.Add(Platform.Slack);
}

var consoleRuns = adapters.Count == 0 && invocation.Verb is Verb.Run or Verb.Check;
if (consoleRuns)
{
    if (invocation.Verb == Verb.Run && StandardInput.Problem() is { } noInput)
    {
        await Console.Error.WriteLineAsync("SupportBot cannot start: " + noInput);
        return 2;
    }

    adapters.Add(Platform.Console);
    builder.Services.AddConsoleAdapter();

    // Logs would interleave with the conversation a script reads; Console:ShowLogs=true brings them back on stderr.
    if (!builder.Configuration.GetValue<bool>($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.ShowLogs)}"))
    {
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.None);
    }
}

// After every registration, so that options sections added by any part of the bot count as known.
foreach (var warning in ConfigurationCheck.UnknownVariables(Environment.GetEnvironmentVariables(), builder.Services))
{
    await Console.Error.WriteLineAsync(warning);
}

using var host = builder.Build();
try
{
    try
    {
        if (invocation.Verb == Verb.Restore)
        {
            // Nothing is opened before the copy: opening would create a key file or lock the database being replaced.
            return await Backups.RestoreAsync(storage, invocation.File!, () =>
            {
                // Opened as a start opens it: migrations, and the key checked against the database.
                host.Services.GetRequiredService<MessageCipher>();
                host.Services.GetRequiredService<Database>();
            });
        }

        // Open everything a start needs before anything runs, so each problem is one clear line and exit 2.
        host.Services.GetService<IStartupValidator>()?.Validate();
        host.Services.GetRequiredService<MessageCipher>();
        host.Services.GetRequiredService<Database>();
    }
    catch (Exception e) when (StorageProblem.Describe(e, storage) is { } problem)
    {
        await Console.Error.WriteLineAsync(problem);
        return 2;
    }

    var summary = StartupSummary.Describe(builder.Configuration, consoleRuns);
    if (invocation.Verb == Verb.Check)
    {
        if (await BrokenTriageAsync(content) is { } broken)
        {
            await Console.Error.WriteLineAsync(broken);
            return 2;
        }

        await Console.Out.WriteLineAsync("Configuration, content and storage are usable. This would start:");
        foreach (var line in summary)
        {
            await Console.Out.WriteLineAsync("  " + line);
        }

        return 0;
    }

    var connections = host.Services.GetRequiredService<Connections>();
    adapters.ForEach(connections.Expect);
    var startup = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SupportBot.Startup");
    foreach (var line in summary)
    {
        Log.Summary(startup, line);
    }

    // Taken before running: RunAsync disposes the host's services when it returns.
    var workers = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
    await host.RunAsync();

    // Broken triage files are found while the bot starts; TriageLoading stopped it then.
    if (await BrokenTriageAsync(content) is { } brokenTriage)
    {
        await Console.Error.WriteLineAsync(brokenTriage);
        return 2;
    }

    // An adapter that stopped on a fatal platform error (a rejected token, say) stopped the host with it;
    // the exit code tells a supervisor that this was not a normal shutdown.
    return workers.Any(w => w.ExecuteTask is { IsFaulted: true }) ? 3 : 0;
}
catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync("SupportBot cannot start: " + e.Message);
    return 2;
}
finally
{
    // Release the database file (and checkpoint its WAL), or end the PostgreSQL sessions, before the process ends.
    Database.CloseAll();
}

// Waits for the triage detector; a problem in its files as start-up reports a broken content file.
static async Task<string?> BrokenTriageAsync(ContentCatalog content)
{
    try
    {
        await content.TriageLoaded;
        return null;
    }
    catch (ContentException e)
    {
        return "SupportBot cannot start: a content file is broken.\n" + e.Message;
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Start-up: {Line}")]
    public static partial void Summary(ILogger logger, string line);
}
