using System.Net;
using System.Net.Sockets;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.EndToEnd;

/// <summary>
/// The real process as an admin runs it: the command line, configuration mistakes, the health listener,
/// metrics, and backups. Each exit code and message here is one an admin or a supervisor acts on.
/// </summary>
public sealed class OperationsTests : IDisposable
{
    private const string Disclosure = "My coach said our sessions had to stay secret from my partner";
    private static readonly Dictionary<string, string> NoVariables = [];
    private readonly TempFolder _folder = new("ops");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Help_and_version_answer_without_starting_the_bot()
    {
        await using var help = ConsoleProcess.Start(_folder.Path, "--help");
        Assert.Equal(0, await help.WaitForExitAsync());
        Assert.Contains(help.Unread(), l => l.Contains("SupportBot backup FILE", StringComparison.Ordinal));

        await using var version = ConsoleProcess.Start(_folder.Path, "--version");
        Assert.Equal(0, await version.WaitForExitAsync());
        Assert.Matches(@"^SupportBot \d+\.\d+", version.Unread()[0]);
        Assert.False(File.Exists(_folder.File("supportbot.db")), "--help and --version must not create a database");
    }

    [Fact]
    public async Task Check_prints_what_would_start_and_exits_0_without_reading_standard_input()
    {
        await using var check = ConsoleProcess.Start(_folder.Path, "--check", "--Storage:RetentionDays=12", "--Health:Urls=http://127.0.0.1:9");
        Assert.Equal(0, await check.WaitForExitAsync());

        var output = string.Join("\n", check.Unread());
        Assert.Contains("Console: standard input and output", output, StringComparison.Ordinal);
        Assert.Contains($"Storage: {_folder.File("supportbot.db")}", output, StringComparison.Ordinal);
        Assert.Contains("kept 12 days", output, StringComparison.Ordinal);
        Assert.Contains("/readyz and /metrics on http://127.0.0.1:9", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_exits_2_when_the_key_cannot_be_used_and_never_prints_it()
    {
        await using var check = ConsoleProcess.Start(_folder.Path, "--check", "--Storage:EncryptionKey=c2hvcnQ=");

        Assert.Equal(2, await check.WaitForExitAsync());
        Assert.Contains("SupportBot cannot start: Storage:EncryptionKey must decode to exactly 32 bytes", check.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ=", check.Errors + string.Join("\n", check.Unread()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_of_a_platform_names_its_mode_and_volunteer_channel_but_not_its_token()
    {
        const string token = "xoxb-check-SECRET";
        await using var check = ConsoleProcess.Start(_folder.Path, "--check", $"--Slack:BotToken={token}", "--Slack:AppToken=xapp-SECRET",
            "--Slack:VolunteerChannelId=C0VOLUNTEER", "--Slack:VolunteerUserIds:0=U1", "--Slack:VolunteerUserIds:1=U2");
        Assert.Equal(0, await check.WaitForExitAsync());

        var output = string.Join("\n", check.Unread());
        Assert.Contains("Slack: Socket Mode; volunteer channel C0VOLUNTEER; 2 listed volunteers", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Console:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", output + check.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Slack:BotToken=xoxb-1", "Slack:AppToken (Socket Mode) or Slack:SigningSecret (HTTP mode) is missing")]
    [InlineData("--Slack:AppToken=xapp-1", "Slack:BotToken is missing: Slack:AppToken is set")]
    [InlineData("--Slack:SigningSecret=abc", "Slack:BotToken is missing: Slack:SigningSecret is set")]
    [InlineData("--Discord:ApplicationId=800000000000000001", "Discord:Token is missing")]
    [InlineData("--Discord:Token=abc", "Discord:ApplicationId is required when Discord:Token is set")]
    public async Task Credentials_set_for_a_platform_but_incomplete_stop_with_exit_2_naming_the_missing_key(string setting, string message)
    {
        await using var bot = ConsoleProcess.Start(_folder.Path, setting);

        Assert.Equal(2, await bot.WaitForExitAsync());
        Assert.Contains("SupportBot cannot start: " + message, bot.Errors, StringComparison.Ordinal);
        Assert.Empty(bot.Unread());
    }

    [Fact]
    public async Task A_misspelt_variable_is_named_with_the_nearest_setting_and_its_value_is_not_shown()
    {
        var variables = new Dictionary<string, string> { ["SUPPORTBOT_Discrod__Token"] = "typo-SECRET", ["SUPPORTBOT_Storage__RetentionDays"] = "30" };
        await using var bot = ConsoleProcess.Start(_folder.Path, variables, ["--Console:Volunteers:0=vol"]);

        await bot.SayAsync("alice: /help", "What I can do");
        Assert.Equal(0, await bot.EndInputAsync());
        Assert.Contains("SUPPORTBOT_Discrod__Token matches no setting and is ignored. Did you mean SUPPORTBOT_Discord__Token?", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("RetentionDays", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("typo-SECRET", bot.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("</dev/null", "standard input is /dev/null")]
    [InlineData("<&-", "standard input is closed")]
    public async Task Without_a_platform_and_without_standard_input_the_bot_says_why_and_exits_2(string input, string message)
    {
        await using var bot = ConsoleProcess.Start(_folder.Path, NoVariables, [], input);

        Assert.Equal(2, await bot.WaitForExitAsync());
        Assert.Contains("SupportBot cannot start: No platform is configured", bot.Errors, StringComparison.Ordinal);
        Assert.Contains(message, bot.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unwritable_storage_is_one_line_with_the_path_the_user_id_and_the_fix()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // /proc refuses new files even to root, so this fails as a root-owned bind mount fails for user 1654.
        await using var bot = ConsoleProcess.Start(_folder.Path, "--Storage:Path=/proc/supportbot-test/supportbot.db");

        Assert.Equal(2, await bot.EndInputAsync());
        var lines = bot.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.Contains("/proc/supportbot-test/supportbot.db", line, StringComparison.Ordinal);
        Assert.Matches(@"runs as user id \d+", line);
        Assert.Contains("chown", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Piped_console_shows_no_banner_keeps_stderr_clean_and_accepts_DM_in_any_case_and_names_beyond_ascii()
    {
        await using var bot = ConsoleProcess.Start(_folder.Path, "--Console:Volunteers:0=vol");

        var help = await bot.SayAsync("Zoë: /help", "What I can do");
        Assert.All(help, l => Assert.StartsWith("[only Zoë]", l, StringComparison.Ordinal));
        Assert.DoesNotContain(help, l => l.StartsWith("[console]", StringComparison.Ordinal));
        await bot.SayAsync("Zoë: /privacy", "What I keep");
        var welcome = await bot.SayAsync("Zoë (DM): I need to talk to someone", "Stop and delete this");
        Assert.All(welcome, l => Assert.StartsWith("[dm Zoë]", l, StringComparison.Ordinal));

        Assert.Equal(0, await bot.EndInputAsync());
        Assert.Equal("", bot.Errors.Trim());
    }

    [Fact]
    public async Task At_a_terminal_the_console_starts_with_a_banner_of_two_example_lines()
    {
        if (!File.Exists("/usr/bin/script"))
        {
            return; // script(1) from util-linux gives the bot a terminal; without it there is no terminal to test.
        }

        await using var bot = ConsoleProcess.Start(_folder.Path, NoVariables, [], "terminal");

        var banner = await bot.ExpectAsync("alice (dm): I need to talk to someone");
        Assert.Contains(banner, l => l.Trim() == "alice: /help");
        Assert.Contains("SupportBot console", string.Join("\n", banner), StringComparison.Ordinal);
        await bot.SayAsync("alice: /privacy", "[only alice] What I keep");
    }

    [Fact]
    public async Task A_volunteer_who_writes_while_holding_nothing_is_told_what_waits_not_taken_through_intake()
    {
        await using var bot = ConsoleProcess.Start(_folder.Path, "--Console:Volunteers:0=vol");
        await bot.DiscloseAsync("alice", Disclosure);

        var answer = await bot.SayAsync("vol (dm): hello, is anyone there?", "[dm vol]");

        Assert.Contains("not holding a conversation", answer[^1], StringComparison.Ordinal);
        Assert.Contains("Waiting now: 1", answer[^1], StringComparison.Ordinal);
        Assert.Contains("/queue", answer[^1], StringComparison.Ordinal);
        await bot.SayAsync("vol: /claim", "was claimed by vol");
        Assert.DoesNotContain(bot.Seen, l => l.StartsWith("[dm vol]", StringComparison.Ordinal) && l.Contains("Stop and delete this", StringComparison.Ordinal));
    }

    /// <summary>
    /// Started from a folder with many folders under it (a home folder, /tmp), the bot and its health listener watch
    /// none of them: a watched appsettings.json puts an inotify watch on every folder below the working directory, which
    /// cost hundreds of watches and can fail at the user's limit. Counted from /proc once /readyz answers.
    /// </summary>
    [Fact]
    public async Task Started_in_a_folder_with_many_folders_below_it_the_bot_watches_none_of_them()
    {
        const int Folders = 60;
        for (var i = 0; i < Folders; i++)
        {
            Directory.CreateDirectory(Path.Combine(_folder.Path, $"folder{i}", "inner"));
        }

        var health = $"http://127.0.0.1:{FreePort()}";
        await using var bot = ConsoleProcess.Start(_folder.Path, "--Console:Volunteers:0=vol", $"--Health:Urls={health}");
        await bot.SayAsync("alice: /help", "What I can do");
        await WaitForAsync(async () => (await _http.GetAsync(new Uri(health + "/readyz"))).StatusCode == HttpStatusCode.OK, "ready", seconds: 20);

        var watches = Directory.GetFiles($"/proc/{bot.Id}/fdinfo")
            .Sum(info => { try { return File.ReadLines(info).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal)); } catch (IOException) { return 0; } });

        Assert.True(watches < Folders, $"{watches} inotify watches for {Folders * 2} folders below the working directory");
    }

    [Fact]
    public async Task Health_answers_live_and_ready_and_metrics_count_the_queue()
    {
        var health = $"http://127.0.0.1:{FreePort()}";
        await using var bot = ConsoleProcess.Start(_folder.Path, "--Console:Volunteers:0=vol", $"--Health:Urls={health}");
        await bot.SayAsync("alice: /help", "What I can do");

        var live = await _http.GetAsync(new Uri(health + "/healthz"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var ready = await _http.GetAsync(new Uri(health + "/readyz"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"console\":\"connected\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await QueueLengthAsync(health, "normal"));

        await bot.DiscloseAsync("alice", Disclosure);
        await WaitForAsync(async () => await QueueLengthAsync(health, "normal") == 1, "queue length 1 after a DM was queued");

        await bot.SayAsync("vol: /claim", "was claimed by vol");
        await WaitForAsync(async () => await QueueLengthAsync(health, "normal") == 0, "queue length 0 after the claim");
        var metrics = await _http.GetStringAsync(new Uri(health + "/metrics"));
        Assert.Contains("supportbot_claims_total{otel_scope_name=\"SupportBot\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("supportbot_queue_wait_seconds_count", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_is_503_until_the_discord_session_is_ready_and_health_mode_follows_it()
    {
        await using var discord = await FakeDiscord.StartAsync();
        discord.Token = "health-test-token";
        var gatewayOpen = false;
        discord.Respond = call => call.Path.Contains("gateway/bot", StringComparison.Ordinal) && !Volatile.Read(ref gatewayOpen)
            ? new FakeResponse(503, "{\"message\":\"unavailable\"}")
            : null;
        var health = $"http://127.0.0.1:{FreePort()}";
        string[] platform = ["--Discord:Token=health-test-token", "--Discord:ApplicationId=800000000000000001", $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}", $"--Health:Urls={health}"];
        await using var bot = ConsoleProcess.Start(_folder.Path, platform);

        await discord.WaitForCallAsync("GET", "gateway/bot", seconds: 20);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(health + "/healthz"))).StatusCode);
        var before = await _http.GetAsync(new Uri(health + "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Contains("\"discord\":\"disconnected\"", await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await RunHealthModeAsync(health));

        Assert.Contains("Start-up: Discord: gateway, shard 0 of 1", bot.Errors, StringComparison.Ordinal);
        Assert.Contains($"Start-up: Health: /healthz, /readyz and /metrics on {health}", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("health-test-token", bot.Errors, StringComparison.Ordinal);

        Volatile.Write(ref gatewayOpen, true);
        await WaitForAsync(async () => (await _http.GetAsync(new Uri(health + "/readyz"))).StatusCode == HttpStatusCode.OK, "ready after READY", seconds: 20);
        // The probe is a second process with a 3 s timeout of its own; on a loaded machine one probe can time out.
        await WaitForAsync(async () => await RunHealthModeAsync(health) == 0, "--health answering 0 once ready", seconds: 30);

        // A dropped session resumes; the reconnect is counted and readiness returns. On a loaded machine the bot may have
        // reconnected on its own already (a late heartbeat ACK), so the drop waits for a live session and the count is
        // compared with what it was before the drop.
        await WaitForAsync(() => Task.FromResult(discord.IsLive(0)), "a live session to drop", seconds: 20);
        var reconnects = await GatewayReconnectsAsync(health);
        await discord.DropAsync();
        await WaitForAsync(async () => await GatewayReconnectsAsync(health) > reconnects, "a counted reconnect", seconds: 20);
        await WaitForAsync(async () => (await _http.GetAsync(new Uri(health + "/readyz"))).StatusCode == HttpStatusCode.OK, "ready after the resume", seconds: 20);
    }

    [Fact]
    public async Task A_health_address_already_in_use_stops_start_up_with_exit_2_naming_the_setting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        await using var bot = ConsoleProcess.Start(_folder.Path, $"--Health:Urls={address}");

        Assert.Equal(2, await bot.WaitForExitAsync());
        Assert.Contains("SupportBot cannot start: Health:Urls cannot be served", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bot.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_mode_exits_1_when_nothing_answers()
    {
        Assert.Equal(1, await RunHealthModeAsync($"http://127.0.0.1:{FreePort()}"));
    }

    [Fact]
    public async Task Backup_while_running_and_restore_keep_a_conversation_readable_with_the_same_key()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var backup = _folder.File("backups/supportbot-backup.db");
        await using (var bot = ConsoleProcess.Start(_folder.Path, $"--Storage:EncryptionKey={key}"))
        {
            await bot.DiscloseAsync("alice", Disclosure);

            await using var copy = ConsoleProcess.Start(_folder.Path, "backup", backup, $"--Storage:EncryptionKey={key}");
            Assert.Equal(0, await copy.WaitForExitAsync());
            Assert.Contains(copy.Unread(), l => l.StartsWith("Backed up", StringComparison.Ordinal));
            Assert.Equal(0, await bot.EndInputAsync());
        }

        Assert.False(File.Exists(backup + ".key"), "the key is exported only when asked");
        using var restored = new TempFolder("ops-restore");
        await using (var restore = ConsoleProcess.Start(restored.Path, "restore", backup, $"--Storage:Path={restored.File("supportbot.db")}", $"--Storage:EncryptionKey={key}"))
        {
            Assert.Equal(0, await restore.WaitForExitAsync());
        }

        await using var again = ConsoleProcess.Start(restored.Path, $"--Storage:Path={restored.File("supportbot.db")}", $"--Storage:EncryptionKey={key}");
        var transcript = await again.SayAsync("vol: /claim", "was claimed by vol");
        Assert.Contains(transcript, l => l.StartsWith("[dm vol]", StringComparison.Ordinal) && l.Contains(Disclosure, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Backup_with_key_exports_the_key_file_and_restore_puts_both_in_place()
    {
        var backup = _folder.File("copy.db");
        await using (var bot = ConsoleProcess.Start(_folder.Path))
        {
            await bot.DiscloseAsync("alice", Disclosure);
            Assert.Equal(0, await bot.EndInputAsync());
        }

        await using (var copy = ConsoleProcess.Start(_folder.Path, "backup", backup, "--with-key"))
        {
            Assert.Equal(0, await copy.WaitForExitAsync());
        }

        Assert.Equal(File.ReadAllText(_folder.File("supportbot.key")).Trim(), File.ReadAllText(backup + ".key").Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup + ".key"));
        }

        await using (var twice = ConsoleProcess.Start(_folder.Path, "backup", backup))
        {
            Assert.Equal(2, await twice.WaitForExitAsync());
            Assert.Contains("already exists", twice.Errors, StringComparison.Ordinal);
        }

        using var restored = new TempFolder("ops-restore");
        var database = $"--Storage:Path={restored.File("data/supportbot.db")}";
        await using (var restore = ConsoleProcess.Start(restored.Path, "restore", backup, database))
        {
            Assert.Equal(0, await restore.WaitForExitAsync());
        }

        await using var again = ConsoleProcess.Start(restored.Path, database);
        var transcript = await again.SayAsync("vol: /claim", "was claimed by vol");
        Assert.Contains(transcript, l => l.Contains(Disclosure, StringComparison.Ordinal));
    }

    private async Task<long> QueueLengthAsync(string health, string priority)
    {
        var metrics = await _http.GetStringAsync(new Uri(health + "/metrics"));
        var match = System.Text.RegularExpressions.Regex.Match(metrics, $@"^supportbot_queue_length\{{[^}}]*priority=""{priority}""[^}}]*\}} (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(match.Success, "no queue length in:\n" + metrics);
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Discord reconnects counted so far; 0 before the first, when the counter is not yet exported.</summary>
    private async Task<long> GatewayReconnectsAsync(string health)
    {
        var metrics = await _http.GetStringAsync(new Uri(health + "/metrics"));
        var match = System.Text.RegularExpressions.Regex.Match(metrics, @"^supportbot_gateway_reconnects_total\{[^}]*platform=""discord""[^}]*\} (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private async Task<int> RunHealthModeAsync(string health)
    {
        await using var probe = ConsoleProcess.Start(_folder.Path, "--health", $"--Health:Urls={health.Replace("127.0.0.1", "+", StringComparison.Ordinal)}");
        return await probe.WaitForExitAsync();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, double seconds = 10)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException("Timed out waiting for " + what);
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
