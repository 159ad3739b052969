using SupportBot.ConsoleChat;
using SupportBot.Core.Storage;
using SupportBot.Discord;
using SupportBot.Slack;

namespace SupportBot.Operations;

/// <summary>
/// What starts, in a few lines: adapters and their mode, where volunteers are told, how many volunteers are
/// configured, the database and its retention, and the health and metrics addresses. Never a token or the key.
/// </summary>
internal static class StartupSummary
{
    public static IReadOnlyList<string> Describe(IConfiguration configuration, bool consoleRuns)
    {
        var lines = new List<string>();
        if (configuration.GetSection(DiscordOptions.Section).Get<DiscordOptions>() is { IsEnabled: true } discord)
        {
            var volunteers = discord.VolunteerUserIds.Count + (discord.VolunteerRoleId.Length > 0 ? " listed volunteers and the volunteer role" : " listed volunteers");
            DiscordShardSet.ReadOneValue(discord, configuration);
            lines.Add($"Discord: gateway, {DiscordShardSet.Describe(discord)}{(discord.GuildId.Length > 0 ? ", commands in one guild" : ", global commands")}; "
                + $"volunteer channel {Or(discord.VolunteerChannelId)}; {volunteers}");
        }

        if (configuration.GetSection(SlackOptions.Section).Get<SlackOptions>() is { IsEnabled: true } slack)
        {
            var mode = slack.UseSocketMode ? "Socket Mode" : $"HTTP mode on {Or(slack.Urls, configuration["urls"] ?? "http://localhost:3000")}";
            var volunteers = slack.VolunteerUserIds.Count + (slack.VolunteerUserGroupId.Length > 0 ? " listed volunteers and a user group" : " listed volunteers");
            lines.Add($"Slack: {mode}; volunteer channel {Or(slack.VolunteerChannelId)}; {volunteers}");
        }

        if (consoleRuns)
        {
            var console = configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
            lines.Add($"Console: standard input and output; {console.VolunteerNames.Count} volunteer name(s)");
        }

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var key = storage.EncryptionKey.Length > 0 ? "key from configuration" : $"key file {MessageCipher.KeyFilePath(storage)}";
        lines.Add($"Storage: {Where(storage)} ({key}); closed conversations kept {storage.RetentionDays} days");

        var health = configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
        var otlp = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>()?.OtlpEndpoint ?? "";
        lines.Add(health.IsEnabled ? $"Health: /healthz, /readyz and /metrics on {health.Urls}" : "Health: off (set Health:Urls to serve /healthz, /readyz and /metrics)");
        lines.Add(Uri.TryCreate(otlp, UriKind.Absolute, out var collector) ? $"Metrics: OTLP to {collector.Scheme}://{collector.Host}:{collector.Port}" : "Metrics: " + (health.IsEnabled ? "Prometheus at /metrics" : "off"));
        return lines;
    }

    private static string Where(StorageOptions storage) => storage.IsPostgres ? WherePostgres(storage) : Path.GetFullPath(storage.Path);

    // Host, port and database only: the connection string also holds the password. A method of its own, so that a
    // start on SQLite does not load Npgsql just to compile this.
    private static string WherePostgres(StorageOptions storage)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(storage.ConnectionString);
            return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        }
        catch (ArgumentException)
        {
            return "PostgreSQL (Storage:ConnectionString unreadable)";
        }
    }

    private static string Or(string value, string fallback = "(not set)") => value.Length > 0 ? value : fallback;
}
