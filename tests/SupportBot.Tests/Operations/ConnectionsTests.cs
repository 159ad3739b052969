using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core;
using SupportBot.Core.Operations;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Slack;

namespace SupportBot.Tests.Operations;

/// <summary>What readiness is made of: the Slack adapter reports its connection as it comes and goes.</summary>
public sealed class ConnectionsTests
{
    [Fact]
    public async Task Slack_socket_mode_is_connected_after_hello_disconnected_when_dropped_and_the_reconnect_is_counted()
    {
        var reconnects = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BotMetrics.MeterName && instrument.Name == "supportbot.gateway.reconnects")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => t.Key == "platform" && (string?)t.Value == "slack"))
            {
                Interlocked.Add(ref reconnects, value);
            }
        });
        listener.Start();

        await using var host = await SlackTestHost.StartAsync();
        var connections = host.Services.GetRequiredService<Connections>();
        connections.Expect(Platform.Slack);
        Assert.True(connections.Snapshot()[Platform.Slack]);

        host.Slack.Latest().Abort();
        await Eventually.TrueAsync(() => !connections.Snapshot()[Platform.Slack], TimeSpan.FromSeconds(5), "Slack reported disconnected");
        Assert.False(connections.AllConnected);

        await host.Slack.WaitForConnectionsAsync(2, TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => connections.AllConnected, TimeSpan.FromSeconds(10), "Slack reported connected again");
        await Eventually.TrueAsync(() => Interlocked.Read(ref reconnects) >= 1, TimeSpan.FromSeconds(5), "the reconnect counted");
    }

    [Fact]
    public async Task Slack_http_mode_is_connected_once_it_listens()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true);

        Assert.True(host.Services.GetRequiredService<Connections>().Snapshot()[Platform.Slack]);
    }
}
