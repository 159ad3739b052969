using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SupportBot.Slack;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Slack;

public sealed class SlackHttpModeTests
{
    [Fact]
    public async Task A_request_with_a_bad_or_stale_signature_gets_401_and_changes_nothing()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true);
        using var http = new HttpClient();
        var body = SlashForm(host, "UMEMBER", "/help", "", "r-bad");
        var now = host.Core.Clock.GetUtcNow().ToUnixTimeSeconds();

        var wrongSecret = await PostAsync(http, host, "commands", body, "application/x-www-form-urlencoded", now, secret: "not-the-secret");
        var stale = await PostAsync(http, host, "commands", body, "application/x-www-form-urlencoded", now - 6 * 60);
        var unsigned = await PostAsync(http, host, "commands", body, "application/x-www-form-urlencoded", now, secret: null);
        var forgedEvent = await PostAsync(http, host, "events", SlackTestHost.DirectMessage("UFORGE", "hi", "EvForged").ToJsonString(), "application/json", now, secret: "nope");

        Assert.All(new[] { wrongSecret, stale, unsigned, forgedEvent }, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        await SentinelAsync(http, host, "UMEMBER");
        await SentinelAsync(http, host, "UFORGE");
        Assert.DoesNotContain(host.Slack.Responses, r => r.Id == "r-bad");
        Assert.DoesNotContain(host.Slack.Calls, c => c.Method is "chat.postMessage" or "conversations.open");

        // The same event, correctly signed, is then handled: the refusal did not mark it as seen.
        var signed = await PostAsync(http, host, "events", SlackTestHost.DirectMessage("UFORGE", "hi", "EvForged").ToJsonString(), "application/json", now);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        await SlackSocketModeTests.PostedToAsync(host.Slack, "DUFORGE", 1);
        Assert.DoesNotContain(SlackTestHost.SigningSecret, host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_slash_command_is_answered_ephemerally_in_the_response()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true);
        using var http = new HttpClient();
        var list = host.Content.RedFlags[0];

        var response = await PostAsync(http, host, "commands", SlashForm(host, "UMEMBER", "/redflags", list.Key, "r1"),
            "application/x-www-form-urlencoded", host.Core.Clock.GetUtcNow().ToUnixTimeSeconds());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("ephemeral", answer["response_type"]?.GetValue<string>());
        Assert.Contains(SlackRenderer.DonePrefix + "redflags:check:" + list.Key, SlackTestHost.ActionIds(answer));
    }

    [Fact]
    public async Task A_retried_event_with_X_Slack_Retry_Num_is_handled_once()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true);
        using var http = new HttpClient();
        var body = SlackTestHost.DirectMessage("URETRY", "hello, anyone?", "EvHttpRetry").ToJsonString();
        var now = host.Core.Clock.GetUtcNow().ToUnixTimeSeconds();

        var first = await PostAsync(http, host, "events", body, "application/json", now);
        var retry = await PostAsync(http, host, "events", body, "application/json", now, retryNum: 1);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await SlackSocketModeTests.PostedToAsync(host.Slack, "DURETRY", 1);
        await SentinelAsync(http, host, "URETRY");
        Assert.Single(host.Slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task An_event_that_cannot_be_stored_is_not_answered_200_and_its_retry_is_handled_once()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true, settings: new Dictionary<string, string?> { ["Storage:BusyTimeoutSeconds"] = "1" });
        using var http = new HttpClient();
        var now = host.Core.Clock.GetUtcNow().ToUnixTimeSeconds();
        await PostAsync(http, host, "events", SlackTestHost.DirectMessage("UWARM", "hello", "EvWarm").ToJsonString(), "application/json", now);
        await SlackSocketModeTests.PostedToAsync(host.Slack, "DUWARM", 1);

        var body = SlackTestHost.DirectMessage("USTOP", "is anyone there", "EvStop").ToJsonString();
        await using (var blocker = await SlackSocketModeTests.HoldWriteLockAsync(host.DatabasePath))
        {
            var refused = await PostAsync(http, host, "events", body, "application/json", now);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            await SlackSocketModeTests.ReleaseAsync(blocker);
        }

        Assert.Contains("Storing a Slack event failed (busy", host.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("is anyone there", host.Logs.AllText, StringComparison.Ordinal);

        // Slack retries a request that was not answered 200; the retry is stored and answered, and a repeat of it is not.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, host, "events", body, "application/json", now)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, host, "events", body, "application/json", now)).StatusCode);
        await SlackSocketModeTests.PostedToAsync(host.Slack, "DUSTOP", 1);
        await SentinelAsync(http, host, "USTOP");
        Assert.Single(host.Slack.CallsTo("chat.postMessage"), c => c.Args["channel"]?.GetValue<string>() == "DUSTOP");
    }

    [Fact]
    public async Task A_slash_command_that_changes_state_gets_503_when_it_cannot_be_stored_and_the_person_is_told()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true, settings: new Dictionary<string, string?> { ["Storage:BusyTimeoutSeconds"] = "1" });
        using var http = new HttpClient();
        var now = host.Core.Clock.GetUtcNow().ToUnixTimeSeconds();
        await SentinelAsync(http, host, "UWARM");

        HttpResponseMessage refused;
        await using (var blocker = await SlackSocketModeTests.HoldWriteLockAsync(host.DatabasePath))
        {
            refused = await PostAsync(http, host, "commands", SlashForm(host, "UFULL", "/end", "", "r-refused"), "application/x-www-form-urlencoded", now);
            await SlackSocketModeTests.ReleaseAsync(blocker);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == "r-refused"), TimeSpan.FromSeconds(10), "the answer that it was not saved");
        Assert.Equal(SlackRenderer.Escape(host.Content.Messages.StorageFailed),
            host.Slack.Responses.Single(r => r.Id == "r-refused").Body["text"]?.GetValue<string>());

        var again = await PostAsync(http, host, "commands", SlashForm(host, "UFULL", "/end", "", "r-again"), "application/x-www-form-urlencoded", now);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        if ((await again.Content.ReadAsStringAsync()).Length == 0)
        {
            await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == "r-again"), TimeSpan.FromSeconds(10), "the answer to the second try");
        }
    }

    [Fact]
    public async Task Url_verification_is_answered_with_its_challenge()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true);
        using var http = new HttpClient();
        var fixture = TestPaths.SharedFixtures is { } dir ? Path.Combine(dir, "slack", "url_verification.docs-example.json") : null;
        // The official sample where present; otherwise our own of the documented shape.
        var body = fixture is not null && File.Exists(fixture)
            ? await File.ReadAllTextAsync(fixture)
            : """{"token":"t","challenge":"our-own-challenge","type":"url_verification"}""";
        var challenge = JsonNode.Parse(body)!["challenge"]!.GetValue<string>();

        var response = await PostAsync(http, host, "events", body, "application/json", host.Core.Clock.GetUtcNow().ToUnixTimeSeconds());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(challenge, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["challenge"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_button_press_posted_as_a_form_payload_is_handled()
    {
        await using var host = await SlackTestHost.StartAsync(httpMode: true);
        using var http = new HttpClient();
        var press = host.ButtonPress("UMEMBER", "next:resources", "C111", "r-next").ToJsonString();
        var body = "payload=" + Uri.EscapeDataString(press);

        var response = await PostAsync(http, host, "interactivity", body, "application/x-www-form-urlencoded", host.Core.Clock.GetUtcNow().ToUnixTimeSeconds());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == "r-next"), TimeSpan.FromSeconds(10), "the answer by response_url");
        Assert.Equal("ephemeral", host.Slack.Responses.First(r => r.Id == "r-next").Body["response_type"]?.GetValue<string>());
    }

    /// <summary>
    /// Runs a signed /help for <paramref name="user"/> and waits for its answer (in the response, or by response_url
    /// when slow): everything the person sent before has then been handled, as in <see cref="SlackTestHost.SentinelAsync"/>.
    /// </summary>
    private static async Task SentinelAsync(HttpClient http, SlackTestHost host, string user)
    {
        var responseId = "sentinel-" + Guid.NewGuid().ToString("N");
        var response = await PostAsync(http, host, "commands", SlashForm(host, user, "/help", "", responseId), "application/x-www-form-urlencoded",
            host.Core.Clock.GetUtcNow().ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if ((await response.Content.ReadAsStringAsync()).Length == 0)
        {
            await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == responseId), TimeSpan.FromSeconds(10), "the sentinel's answer");
        }
    }

    private static string SlashForm(SlackTestHost host, string user, string command, string text, string responseId) =>
        string.Join("&", host.SlashCommand(user, command, text, responseId)
            .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!.GetValue<string>())}"));

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, SlackTestHost host, string endpoint, string body, string contentType,
        long timestamp, string? secret = SlackTestHost.SigningSecret, int? retryNum = null)
    {
        var ts = timestamp.ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Connection.HttpAddress!, "/slack/" + endpoint));
        request.Content = new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        if (secret is not null)
        {
            request.Headers.Add("X-Slack-Signature", SlackSignature.Compute(secret, ts, Encoding.UTF8.GetBytes(body)));
        }

        if (retryNum is { } n)
        {
            request.Headers.Add("X-Slack-Retry-Num", n.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }

        return await http.SendAsync(request);
    }
}
