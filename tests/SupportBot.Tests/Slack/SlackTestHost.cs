using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core.Content;
using SupportBot.Slack;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Slack;

/// <summary>
/// The real core and the real Slack adapter over a fresh SQLite file, pointed at a <see cref="FakeSlack"/>.
/// Socket Mode by default; HTTP mode when <c>httpMode</c> is set.
/// </summary>
public sealed class SlackTestHost : IAsyncDisposable
{
    public const string Volunteer = "UVOL";
    public const string VolunteerChannel = "CVOLUNTEERS";
    public const string SigningSecret = "signing-secret-SECRET3";

    private SlackTestHost(FakeSlack slack, CoreHarness core)
    {
        Slack = slack;
        Core = core;
    }

    public FakeSlack Slack { get; }

    public CoreHarness Core { get; }

    public string Directory => Core.Directory;

    public ServiceProvider Services => Core.Services;

    /// <summary>Every log line the adapter and the core wrote.</summary>
    public CapturingLoggerProvider Logs => Core.Logs;

    /// <summary>The Slack connection: Socket Mode or the HTTP endpoint.</summary>
    internal SlackConnection Connection => Services.GetRequiredService<SlackConnection>();

    /// <summary>What delivers replies on Slack (the router's Slack adapter).</summary>
    internal SlackSender Sender => Services.GetRequiredService<SlackSender>();

    public ContentCatalog Content => Core.Content;

    public string DatabasePath => Core.DatabasePath;

    public static async Task<SlackTestHost> StartAsync(
        bool httpMode = false, Action<IServiceCollection>? configure = null, bool waitUntilReady = true, IDictionary<string, string?>? settings = null)
    {
        var slack = await FakeSlack.StartAsync();
        var slackSettings = new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = FakeSlack.BotToken,
            ["Slack:AppToken"] = httpMode ? "" : FakeSlack.AppToken,
            ["Slack:SigningSecret"] = httpMode ? SigningSecret : "",
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl,
            ["Slack:VolunteerUserIds:0"] = Volunteer,
            ["Slack:VolunteerChannelId"] = VolunteerChannel,
            ["Slack:Urls"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            slackSettings[key] = value;
        }

        var core = new CoreHarness(
            services =>
            {
                services.AddSlackAdapter();
                configure?.Invoke(services);
            },
            slackSettings);
        var host = new SlackTestHost(slack, core);
        await host.Connection.StartAsync(CancellationToken.None);
        if (waitUntilReady)
        {
            await host.Connection.Ready.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.StopAsync(CancellationToken.None);
        Core.Dispose();
        await Slack.DisposeAsync();
    }

    /// <summary>
    /// Runs /help for <paramref name="user"/> over Socket Mode and waits for its answer (in the ack, or by response_url
    /// when slow). Each person's events are handled in order, so once it is answered everything that person sent
    /// before has been handled and delivered: a test can then assert that nothing else happened without waiting a
    /// fixed time. (Events that are ignored, like bot posts, are ignored as they are read, so any later answer proves them done.)
    /// </summary>
    public async Task SentinelAsync(string user)
    {
        var responseId = "sentinel-" + Guid.NewGuid().ToString("N");
        var ack = await Slack.WaitForAckAsync(await Slack.SendEnvelopeAsync("slash_commands", SlashCommand(user, "/help", "", responseId)));
        if (ack.Payload is null)
        {
            await Eventually.TrueAsync(() => Slack.Responses.Any(r => r.Id == responseId), TimeSpan.FromSeconds(10), "the sentinel's answer");
        }
    }

    /// <summary>A slash command payload as Slack sends it, based on the official sample where it is present.</summary>
    public JsonObject SlashCommand(string user, string command, string text, string responseId) => SlashCommand(Slack, user, command, text, responseId);

    /// <summary>A slash command as <paramref name="slack"/> would deliver it, for tests that run the bot in their own host or process.</summary>
    public static JsonObject SlashCommand(FakeSlack slack, string user, string command, string text, string responseId) =>
        SlackPayloads.SlashCommand(slack, user, command, text, responseId);

    public static JsonObject DirectMessage(string user, string text, string eventId) => SlackPayloads.DirectMessage(user, text, eventId);

    /// <summary>A button press (block_actions) on a message in <paramref name="channel"/>.</summary>
    public JsonObject ButtonPress(string user, string actionId, string channel, string responseId, JsonObject? state = null) =>
        ButtonPress(Slack, user, actionId, channel, responseId, state);

    /// <summary>A button press as <paramref name="slack"/> would deliver it, for tests that run the adapter in their own host.</summary>
    public static JsonObject ButtonPress(FakeSlack slack, string user, string actionId, string channel, string responseId, JsonObject? state = null) =>
        SlackPayloads.ButtonPress(slack, user, actionId, channel, responseId, state);

    /// <summary>All the buttons' action ids in the blocks of a recorded message or response.</summary>
    public static IReadOnlyList<string> ActionIds(JsonObject message) => SlackPayloads.ActionIds(message);
}
