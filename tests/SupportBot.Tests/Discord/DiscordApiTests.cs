using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SupportBot.Discord;
using SupportBot.Discord.Wire;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

public sealed class DiscordApiTests : IAsyncLifetime, IDisposable
{
    private FakeDiscord _fake = null!;
    private readonly CapturingLoggerProvider _logs = new();
    private DiscordApi _api = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        _api = new DiscordApi(
            Options.Create(new DiscordOptions { Token = DiscordRig.Token, ApplicationId = DiscordRig.ApplicationId, ApiBaseUrl = _fake.ApiBaseUrl }),
            TimeProvider.System, new Logger<DiscordApi>(new LoggerFactory([_logs])));
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Requests_carry_the_bot_token_a_user_agent_and_json()
    {
        await _api.CreateMessageAsync("42", new MessageBody("hi"), CancellationToken.None);

        var call = Assert.Single(_fake.Calls);
        Assert.Equal("Bot " + DiscordRig.Token, call.Authorization);
        Assert.Equal("hi", call.Json!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task No_request_is_sent_before_a_429_retry_after_has_passed()
    {
        var first = true;
        _fake.Respond = call =>
        {
            if (!first)
            {
                return null;
            }

            first = false;
            return new FakeResponse(429, "{\"message\":\"You are being rate limited.\",\"retry_after\":0.6,\"global\":false}", new Dictionary<string, string>
            {
                ["Retry-After"] = "1",
                ["X-RateLimit-Limit"] = "5",
                ["X-RateLimit-Remaining"] = "0",
                ["X-RateLimit-Reset-After"] = "0.6",
                ["X-RateLimit-Bucket"] = "abcd1234",
                ["X-RateLimit-Scope"] = "user",
            });
        };

        await _api.CreateMessageAsync("42", new MessageBody("hi"), CancellationToken.None);

        var calls = _fake.Calls.ToList();
        Assert.Equal(2, calls.Count);
        Assert.True(Stopwatch.GetElapsedTime(calls[0].Timestamp, calls[1].Timestamp) >= TimeSpan.FromSeconds(0.6));
    }

    [Fact]
    public async Task A_429_whose_body_has_no_retry_after_waits_for_the_retry_after_header()
    {
        var first = true;
        _fake.Respond = call =>
        {
            if (!first)
            {
                return null;
            }

            first = false;
            return new FakeResponse(429, "{\"message\":\"You are being rate limited.\",\"global\":false}", new Dictionary<string, string>
            {
                ["Retry-After"] = "1",
            });
        };

        await _api.CreateMessageAsync("42", new MessageBody("hi"), CancellationToken.None);

        var calls = _fake.Calls.ToList();
        Assert.Equal(2, calls.Count);
        Assert.True(Stopwatch.GetElapsedTime(calls[0].Timestamp, calls[1].Timestamp) >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_global_429_holds_back_every_route_until_it_passes()
    {
        var first = true;
        _fake.Respond = call =>
        {
            if (!first)
            {
                return null;
            }

            first = false;
            return new FakeResponse(429, "{\"message\":\"You are being rate limited.\",\"retry_after\":0.6,\"global\":true}", new Dictionary<string, string>
            {
                ["Retry-After"] = "1",
                ["X-RateLimit-Global"] = "true",
                ["X-RateLimit-Scope"] = "global",
            });
        };

        var a = _api.CreateMessageAsync("1", new MessageBody("a"), CancellationToken.None);
        await GlobalLimitKnownAsync();
        var b = _api.CreateMessageAsync("2", new MessageBody("b"), CancellationToken.None);
        await Task.WhenAll(a, b);

        var calls = _fake.Calls.ToList();
        var other = calls.Single(c => c.Path.Contains("/channels/2/", StringComparison.Ordinal));
        Assert.True(Stopwatch.GetElapsedTime(calls[0].Timestamp, other.Timestamp) >= TimeSpan.FromSeconds(0.6));
    }

    [Fact]
    public async Task Interaction_answers_are_not_held_back_by_the_global_limit_and_keep_no_route()
    {
        var first = true;
        _fake.Respond = call =>
        {
            if (!first)
            {
                return null;
            }

            first = false;
            return new FakeResponse(429, "{\"message\":\"You are being rate limited.\",\"retry_after\":3,\"global\":true}", new Dictionary<string, string>
            {
                ["Retry-After"] = "3",
                ["X-RateLimit-Global"] = "true",
                ["X-RateLimit-Scope"] = "global",
            });
        };
        var held = _api.CreateMessageAsync("1", new MessageBody("a"), CancellationToken.None);
        await GlobalLimitKnownAsync();

        // Within Discord's three seconds, whatever the bot's global budget says: all three go while the held message
        // still waits for the global reset.
        await _api.InteractionCallbackAsync("10", "token-a", new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage), CancellationToken.None);
        await _api.FollowUpAsync("token-a", new MessageBody("b"), CancellationToken.None);
        await _api.EditOriginalAsync("token-a", new MessageBody("c"), CancellationToken.None);
        Assert.Single(_fake.CallsTo("POST", "/channels/1/messages"));
        await held;

        Assert.Equal(1, _api.KnownRoutes); // the channel's route; none per interaction token
    }

    [Fact]
    public async Task A_bucket_with_no_requests_left_waits_for_its_reset()
    {
        _fake.Respond = _ => new FakeResponse(200, "{\"id\":\"1\"}", new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = "1",
            ["X-RateLimit-Remaining"] = "0",
            ["X-RateLimit-Reset-After"] = "0.5",
            ["X-RateLimit-Bucket"] = "b1",
        });

        await _api.CreateMessageAsync("42", new MessageBody("one"), CancellationToken.None);
        await _api.CreateMessageAsync("42", new MessageBody("two"), CancellationToken.None);

        var calls = _fake.Calls.ToList();
        Assert.True(Stopwatch.GetElapsedTime(calls[0].Timestamp, calls[1].Timestamp) >= TimeSpan.FromSeconds(0.5));
    }

    [Fact]
    public async Task Server_errors_are_retried_and_client_errors_are_not()
    {
        var count = 0;
        _fake.Respond = call => Interlocked.Increment(ref count) == 1 ? new FakeResponse(502, "") : null;
        await _api.CreateMessageAsync("42", new MessageBody("hi"), CancellationToken.None);
        Assert.Equal(2, _fake.Calls.Count);

        _fake.Respond = _ => new FakeResponse(400, "{\"code\":50035,\"message\":\"Invalid Form Body\"}");
        var error = await Assert.ThrowsAsync<DiscordApiException>(() => _api.CreateMessageAsync("43", new MessageBody("x"), CancellationToken.None));
        Assert.Contains("50035", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _fake.Calls.Count);
    }

    [Fact]
    public async Task An_interaction_callback_is_not_retried_after_a_server_error()
    {
        _fake.Respond = _ => new FakeResponse(502, "");

        var error = await Assert.ThrowsAsync<DiscordApiException>(
            () => _api.InteractionCallbackAsync("10", "token-a", new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadGateway, error.Status);
        Assert.Single(_fake.Calls); // a retry after backoff would land past Discord's three seconds
    }

    [Fact]
    public async Task The_fake_refuses_a_second_initial_response_and_a_late_one_as_Discord_does()
    {
        await _fake.DispatchAsync("INTERACTION_CREATE", new System.Text.Json.Nodes.JsonObject { ["id"] = "31", ["type"] = 3, ["token"] = "token-31" });
        await _fake.DispatchAsync("INTERACTION_CREATE", new System.Text.Json.Nodes.JsonObject { ["id"] = "32", ["type"] = 3, ["token"] = "token-32" });

        // Within Discord's 3 s, however slow the machine: a second answer is refused as a second answer, not as a late one.
        await _api.InteractionCallbackAsync("31", "token-31", new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage), CancellationToken.None);
        var twice = await Assert.ThrowsAsync<DiscordApiException>(() =>
            _api.InteractionCallbackAsync("31", "token-31", new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage), CancellationToken.None));
        _fake.InteractionDeadline = TimeSpan.FromMilliseconds(300);
        await Task.Delay(400); // the fake's deadline is what is under test here
        var late = await Assert.ThrowsAsync<DiscordApiException>(() =>
            _api.InteractionCallbackAsync("32", "token-32", new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, twice.Status);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, late.Status);
        Assert.Equal(["40060: Interaction has already been acknowledged", "10062: Unknown interaction"], _fake.Refusals);
    }

    [Fact]
    public async Task The_fake_refuses_a_wrong_bot_token_with_401()
    {
        using var wrong = new DiscordApi(
            Options.Create(new DiscordOptions { Token = "not-the-token", ApplicationId = DiscordRig.ApplicationId, ApiBaseUrl = _fake.ApiBaseUrl }),
            TimeProvider.System, NullLogger<DiscordApi>.Instance);

        var error = await Assert.ThrowsAsync<DiscordApiException>(() => wrong.CreateMessageAsync("42", new MessageBody("hi"), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.Status);
        Assert.Single(_fake.Refusals);
    }

    /// <summary>Waits until the client has read the global 429, not just until the fake sent it.</summary>
    private Task GlobalLimitKnownAsync() => Eventually.TrueAsync(
        () => _logs.AllText.Contains("(global: True)", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the global 429 read by the client");
}
