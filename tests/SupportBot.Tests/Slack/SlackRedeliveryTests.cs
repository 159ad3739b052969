using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

/// <summary>
/// Slack's side of invariants 5 and 9, as the fake plays it: what was not acknowledged comes again, with the retry
/// counted, and what was acknowledged never does; the bot stores each event once however often it comes.
/// </summary>
public sealed class SlackRedeliveryTests
{
    [Fact]
    public async Task An_event_sent_while_the_connection_is_down_is_re_sent_on_the_next_connection_with_its_retry_counted()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        slack.RedeliverAfter = TimeSpan.FromSeconds(1);
        var dead = slack.Latest();
        dead.Abort();

        var first = await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage("UDOWN", "are you there", "EvDown"), dead);
        await SlackSocketModeTests.PostedToAsync(slack, "DUDOWN", 1, TimeSpan.FromSeconds(20));
        await host.SentinelAsync("UDOWN");

        var sent = slack.Envelopes.Values.Where(e => e.EventId == "EvDown").OrderBy(e => e.RetryAttempt).ToList();
        Assert.Equal(first, sent[0].EnvelopeId);
        Assert.DoesNotContain(slack.AllAcks, a => a.EnvelopeId == first);
        Assert.Equal(1, sent[1].RetryAttempt);
        Assert.Contains(slack.AllAcks, a => a.EnvelopeId == sent[1].EnvelopeId);
        Assert.Equal(2, sent.Count); // acked at the first retry: never sent again
        Assert.Single(slack.CallsTo("chat.postMessage"), c => c.Args["channel"]?.GetValue<string>() == "DUDOWN");
    }

    [Fact]
    public async Task An_http_event_answered_503_is_retried_with_X_Slack_Retry_Num_until_it_gets_200_and_is_handled_once()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true, settings: new Dictionary<string, string?> { ["Storage:BusyTimeoutSeconds"] = "1" });
        var slack = host.Slack;
        slack.BotUrl = host.Connection.HttpAddress;
        slack.SigningSecret = SlackTestHost.SigningSecret;
        slack.Clock = host.Core.Clock;
        slack.HttpRetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200)];

        bool received;
        await using (var blocker = await SlackSocketModeTests.HoldWriteLockAsync(host.DatabasePath))
        {
            var delivery = slack.DeliverEventAsync(SlackTestHost.DirectMessage("UBUSY", "hello, is this private", "EvBusy"));
            await Eventually.TrueAsync(() => slack.Deliveries.Any(d => d.EventId == "EvBusy" && d.Attempt == 1), TimeSpan.FromSeconds(20), "the first retry");
            await SlackSocketModeTests.ReleaseAsync(blocker);
            received = await delivery;
        }

        Assert.True(received);
        var attempts = slack.Deliveries.Where(d => d.EventId == "EvBusy").OrderBy(d => d.Attempt).ToList();
        Assert.All(attempts[..^1], d => Assert.Equal((503, "http_error"), (d.Status, d.Reason)));
        Assert.Equal(200, attempts[^1].Status);
        Assert.Single(attempts, d => d.Received); // a 200 ends the retries
        await SlackSocketModeTests.PostedToAsync(slack, "DUBUSY", 1);
        Assert.Single(slack.CallsTo("chat.postMessage"), c => c.Args["channel"]?.GetValue<string>() == "DUBUSY");
    }

    [Fact]
    public async Task An_http_event_to_a_bot_that_is_not_listening_is_given_up_after_three_retries()
    {
        await using var slack = await FakeSlack.StartAsync();
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        slack.BotUrl = new Uri($"http://127.0.0.1:{port}/");
        slack.SigningSecret = SlackTestHost.SigningSecret;
        slack.HttpRetryDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)];

        Assert.False(await slack.DeliverEventAsync(SlackTestHost.DirectMessage("UNOONE", "hello", "EvNoOne")));

        var attempts = slack.Deliveries.Where(d => d.EventId == "EvNoOne").ToList();
        Assert.Equal([0, 1, 2, 3], attempts.Select(d => d.Attempt));
        Assert.All(attempts, d => Assert.Equal("connection_failed", d.Reason));
        Assert.Empty(slack.ReceivedEventIds);
    }
}
