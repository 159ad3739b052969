using SupportBot.Tests.Fakes;

/// <summary>Starts each bot under test against a fake: SupportBot (the published host) and, where node is installed, the reference bots.</summary>
internal sealed class Contenders(MatrixOptions options)
{
    public const string ApplicationId = "800000000000000001";
    public const string VolunteerChannelId = "310000000000000009";
    public const string SupportBotName = "SupportBot";
    public const string DiscordJsName = "discord.js";
    public const string BoltName = "Bolt";

    /// <summary>Why the reference bots cannot run here, or null when they can.</summary>
    public string? ReferenceMissing { get; } = !options.WithReference ? "skipped (--no-reference)"
        : !OnPath("node") ? "skipped: node is not installed"
        : !Directory.Exists(Path.Combine(options.ReferenceDir, "node_modules")) ? "skipped: run bench/reference/install.sh first"
        : null;

    public BotProcess SupportBotOnDiscord(FakeDiscord fake, string data, params string[] extra) => SupportBot(data,
    [
        $"--Discord:Token={FakeDiscord.DefaultToken}",
        $"--Discord:ApplicationId={ApplicationId}",
        $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
        $"--Discord:VolunteerChannelId={VolunteerChannelId}",
        .. extra,
    ]);

    public BotProcess SupportBotOnSlack(string apiBaseUrl, string data) => SupportBot(data,
    [
        $"--Slack:BotToken={FakeSlack.BotToken}",
        $"--Slack:AppToken={FakeSlack.AppToken}",
        $"--Slack:ApiBaseUrl={apiBaseUrl}",
    ]);

    public BotProcess DiscordJs(FakeDiscord fake) => BotProcess.Start(DiscordJsName, "node", [Path.Combine(options.ReferenceDir, "discord-bot.js")],
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DISCORD_API"] = fake.BaseUrl + "/api",
            ["DISCORD_TOKEN"] = FakeDiscord.DefaultToken,
        },
        options.ReferenceDir);

    public BotProcess Bolt(string apiBaseUrl) => BotProcess.Start(BoltName, "node", [Path.Combine(options.ReferenceDir, "slack-app.js")],
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SLACK_API"] = apiBaseUrl.TrimEnd('/') + "/",
            ["SLACK_BOT_TOKEN"] = FakeSlack.BotToken,
            ["SLACK_APP_TOKEN"] = FakeSlack.AppToken,
        },
        options.ReferenceDir);

    private BotProcess SupportBot(string data, string[] platform)
    {
        string[] arguments =
        [
            options.BotDll,
            $"--Storage:Path={Path.Combine(data, "supportbot.db")}",
            $"--Content:Path={options.Prompts}",
            "--Logging:LogLevel:Default=Warning",
            .. platform,
        ];
        var environment = new Dictionary<string, string>(options.BotEnvironment, StringComparer.Ordinal) { ["DOTNET_ENVIRONMENT"] = "Production" };

        // A native executable (the Native AOT publish, `--bot PATH/SupportBot`) starts as itself.
        if (!options.BotDll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return BotProcess.Start(SupportBotName, options.BotDll, arguments[1..], environment, data);
        }

        // A self-contained publish (the Dockerfile's) carries its own runtime and starts from its executable, as the
        // image starts it; a framework-dependent one starts through the installed dotnet.
        var folder = Path.GetDirectoryName(options.BotDll)!;
        var executable = Path.Combine(folder, Path.GetFileNameWithoutExtension(options.BotDll));
        return File.Exists(Path.Combine(folder, "libcoreclr.so")) && File.Exists(executable)
            ? BotProcess.Start(SupportBotName, executable, arguments[1..], environment, data)
            : BotProcess.Start(SupportBotName, "dotnet", arguments, environment, data);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, program)));
}
