using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Slack;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Slack;

/// <summary>
/// Several Socket Mode connections (<c>Slack:SocketConnections</c>) on the real process: the fake Slack spreads envelopes
/// over the open ones in turn, as Slack does; each connection acknowledges what came on it, and the inbox drops an event
/// delivered twice (invariants 5 and 9).
/// </summary>
public sealed class SlackSocketConnectionsTests : IAsyncLifetime, IDisposable
{
    private const string Volunteer = "UVOL";
    private const string VolunteerChannel = "CVOL";

    private readonly TempFolder _folder = new("slack-sockets");
    private FakeSlack _slack = null!;

    public async Task InitializeAsync() => _slack = await FakeSlack.StartAsync();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    public void Dispose()
    {
        Database.CloseAll();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_burst_of_slash_commands_over_three_sockets_is_acked_exactly_once_each_on_the_socket_it_came_on()
    {
        await using var bot = await StartBotAsync(3);
        Assert.Equal(3, _slack.CallsTo("apps.connections.open").Count);

        var sent = new List<(string EnvelopeId, string ResponseId)>();
        for (var i = 0; i < 60; i++)
        {
            var responseId = $"burst-{i}";
            sent.Add((await _slack.SendEnvelopeAsync("slash_commands", SlackTestHost.SlashCommand(_slack, $"UB{i:D3}", "/help", "", responseId)), responseId));
        }

        foreach (var (envelopeId, responseId) in sent)
        {
            var ack = await _slack.WaitForAckAsync(envelopeId, TimeSpan.FromSeconds(20));
            if (ack.Payload is null)
            {
                await Eventually.TrueAsync(() => _slack.Responses.Any(r => r.Id == responseId), TimeSpan.FromSeconds(20), "the answer to " + responseId);
            }
        }

        // Spread over all three, twenty each; every one acked once, on the connection that carried it.
        var envelopes = sent.Select(s => _slack.Envelopes[s.EnvelopeId]).ToList();
        Assert.Equal([20, 20, 20], envelopes.GroupBy(e => e.Connection).Select(g => g.Count()));
        var acks = _slack.AllAcks.Where(a => sent.Any(s => s.EnvelopeId == a.EnvelopeId)).ToList();
        Assert.Equal(60, acks.Count);
        Assert.Equal(60, acks.Select(a => a.EnvelopeId).Distinct().Count());
        Assert.All(acks, a => Assert.Equal(_slack.Envelopes[a.EnvelopeId].Connection, a.Connection));

        Assert.Contains("keeping 3 connection(s) open", bot.Errors, StringComparison.Ordinal);
        Assert.Empty(_slack.Refusals);
        Assert.Equal(0, await bot.TerminateAsync());
        Assert.DoesNotContain(FakeSlack.AppToken, bot.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_dropped_mid_burst_loses_no_direct_message_and_stores_none_twice()
    {
        const int Survivors = 15;
        const int PerSurvivor = 4;
        _slack.RedeliverAfter = TimeSpan.FromSeconds(1.5);
        await using var bot = await StartBotAsync(3);
        var dropped = _slack.OpenSockets()[1];

        var sent = 0;
        for (var j = 0; j < PerSurvivor; j++)
        {
            for (var i = 0; i < Survivors; i++)
            {
                await _slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(Survivor(i), Words(i, j), $"EvD-{i}-{j}"));
                if (++sent == Survivors * PerSurvivor / 3)
                {
                    // A network failure on one connection while envelopes are on their way over it.
                    dropped.Abort();
                }
            }
        }

        // The bot opens a fresh connection in place of the lost one; Slack re-sends what was not acked over the open ones.
        await Eventually.TrueAsync(() => _slack.OpenConnectionCount == 3 && _slack.CallsTo("apps.connections.open").Count == 4,
            TimeSpan.FromSeconds(30), "the dropped connection replaced");
        var ids = Enumerable.Range(0, Survivors).SelectMany(i => Enumerable.Range(0, PerSurvivor).Select(j => $"EvD-{i}-{j}")).ToList();
        await Eventually.TrueAsync(() => ids.All(_slack.ReceivedEventIds.Contains), TimeSpan.FromSeconds(60), "every event acknowledged");
        Assert.Empty(_slack.GivenUpEventIds);
        Assert.Contains(_slack.Envelopes.Values, e => e.Connection == dropped.Number && e.EventId?.StartsWith("EvD-", StringComparison.Ordinal) == true);
        Assert.Contains(_slack.Envelopes.Values, e => e.RetryAttempt > 0); // some were sent again after the drop
        await Task.WhenAll(Enumerable.Range(0, Survivors).Select(i => SentinelAsync(Survivor(i))));
        Assert.Equal(0, await bot.TerminateAsync());
        Assert.DoesNotContain("Lilac", bot.Errors, StringComparison.Ordinal);

        // Counted in the store itself, read with the key.
        using var core = new CoreHarness(settings: new Dictionary<string, string?> { ["Storage:Path"] = _folder.File("supportbot.db") });
        var store = core.Get<ConversationStore>();
        for (var i = 0; i < Survivors; i++)
        {
            var words = (await StoredTranscript.ReadAsync(store, new Address(Platform.Slack, Survivor(i)), new Address(Platform.Slack, Volunteer))).Select(e => e.Text).ToList();
            for (var j = 0; j < PerSurvivor; j++)
            {
                Assert.Equal(1, words.Count(w => w == Words(i, j)));
            }
        }
    }

    [Fact]
    public async Task Slack_refuses_an_eleventh_socket_with_too_many_websockets()
    {
        await using var host = await SlackTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Slack:SocketConnections"] = "10" });
        var slack = host.Slack;
        await Eventually.TrueAsync(() => slack.OpenConnectionCount == 10, TimeSpan.FromSeconds(20), "ten connections");

        // An 11th, opened as the bot would: a fresh URL, then the socket.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, slack.ApiBaseUrl + "/apps.connections.open");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FakeSlack.AppToken);
        using var response = await http.SendAsync(request);
        var url = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["url"]!.GetValue<string>();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(url), CancellationToken.None);
        var buffer = new byte[4096];
        var first = await socket.ReceiveAsync(buffer, CancellationToken.None);
        var frame = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, first.Count))!;

        Assert.Equal("disconnect", frame["type"]!.GetValue<string>());
        Assert.Equal("too_many_websockets", frame["reason"]!.GetValue<string>());
        Assert.Single(slack.Refusals);
        Assert.Equal(10, slack.OpenConnectionCount);
        await host.SentinelAsync("UANY"); // the ten still carry commands
    }

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    public void More_sockets_than_slack_allows_or_none_stops_the_start_with_a_message(string count)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = FakeSlack.BotToken,
            ["Slack:AppToken"] = FakeSlack.AppToken,
            ["Slack:SocketConnections"] = count,
        };
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSlackAdapter();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SlackOptions>>().Value);
        Assert.Contains("Slack:SocketConnections must be 1 to 10", error.Message, StringComparison.Ordinal);
    }

    private async Task<ConsoleProcess> StartBotAsync(int sockets)
    {
        var bot = ConsoleProcess.Start(_folder.Path,
            $"--Slack:BotToken={FakeSlack.BotToken}", $"--Slack:ApiBaseUrl={_slack.ApiBaseUrl}", $"--Slack:AppToken={FakeSlack.AppToken}",
            $"--Slack:VolunteerUserIds:0={Volunteer}", $"--Slack:VolunteerChannelId={VolunteerChannel}", $"--Slack:SocketConnections={sockets}");
        try
        {
            await Eventually.TrueAsync(() => _slack.OpenConnectionCount == sockets, TimeSpan.FromSeconds(30), $"{sockets} Socket Mode connections");
        }
        catch (TimeoutException e)
        {
            var log = bot.Errors;
            await bot.DisposeAsync();
            throw new Xunit.Sdk.XunitException(e.Message + "\n--- log tail:\n" + log[Math.Max(0, log.Length - 4000)..]);
        }

        return bot;
    }

    /// <summary>/help for the person, answered only after everything they sent before (their events are handled in order).</summary>
    private async Task SentinelAsync(string user)
    {
        var responseId = "sentinel-" + Guid.NewGuid().ToString("N");
        var ack = await _slack.WaitForAckAsync(await _slack.SendEnvelopeAsync("slash_commands", SlackTestHost.SlashCommand(_slack, user, "/help", "", responseId)), TimeSpan.FromSeconds(20));
        if (ack.Payload is null)
        {
            await Eventually.TrueAsync(() => _slack.Responses.Any(r => r.Id == responseId), TimeSpan.FromSeconds(20), "the sentinel's answer");
        }
    }

    private static string Survivor(int i) => $"UD{i:D3}";

    private static string Words(int i, int j) => $"Lilac {i}-{j}: the retreat leader asked me to keep our sessions secret";
}
