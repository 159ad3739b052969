using Microsoft.Extensions.Options;
using SupportBot;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using SupportBot.Discord;
using SupportBot.Slack;

var builder = Host.CreateApplicationBuilder(args);

// Environment variables must not beat --Section:Key, so the command line is added again after them.
builder.Configuration.AddEnvironmentVariables("SUPPORTBOT_").AddCommandLine(args);

// Standard output belongs to the console adapter's line protocol; every log goes to standard error.
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

ContentCatalog content;
try
{
    content = ContentCatalog.Load(builder.Configuration["Content:Path"] ?? Path.Combine(AppContext.BaseDirectory, "prompts"));
}
catch (ContentException e)
{
    await Console.Error.WriteLineAsync("SupportBot cannot start: a content file is broken.\n" + e.Message);
    return 2;
}

builder.Services.AddSupportBotCore(content);

// Each platform adapter registers itself only when its credentials are configured; with none, the console runs.
var platforms = 0;
if (builder.AddDiscordAdapterIfConfigured())
{
    platforms++;
}

if (builder.AddSlackAdapterIfConfigured())
{
    platforms++;
}

if (platforms == 0)
{
    builder.Services.AddConsoleAdapter();
}

using var host = builder.Build();
try
{
    // Taken before running: RunAsync disposes the host's services when it returns.
    var workers = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
    await host.RunAsync();

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
    // Release the database file (and checkpoint its WAL) before the process ends.
    Database.CloseAll();
}
