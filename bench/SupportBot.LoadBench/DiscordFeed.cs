using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SupportBot.Tests.Fakes;

/// <summary>
/// What the fake Discord sends (slash commands, DMs, button presses) and what came back: the first response to each
/// interaction (its callback, deferred or not) and its answer (a non-deferred callback, or the follow-up that edits a
/// deferred one). The fake hands it each call as it arrives, so watching costs the generator the same per call however
/// long the run: no queue is kept or polled.
/// </summary>
internal sealed class DiscordFeed : IAsyncDisposable
{
    public const string GuildId = "700000000000000001";
    private const string TokenPrefix = "interaction-token-";

    private readonly FakeDiscord _fake;

    public DiscordFeed(FakeDiscord fake)
    {
        _fake = fake;
        fake.OnCall = Observe;
    }

    /// <summary>Interaction id → when its first response arrived (Stopwatch ticks).</summary>
    public ConcurrentDictionary<string, long> FirstResponse { get; } = new(StringComparer.Ordinal);

    /// <summary>Interaction id → when its answer arrived.</summary>
    public ConcurrentDictionary<string, long> Answered { get; } = new(StringComparer.Ordinal);

    /// <summary>REST calls on interaction endpoints, by kind: "callback 4", "callback 5" (a deferral), "edit", "follow-up".</summary>
    public ConcurrentDictionary<string, int> InteractionCalls { get; } = new(StringComparer.Ordinal);

    /// <summary>Every other REST call (DMs, notices), as it is drained.</summary>
    public Action<RestCall>? OnOtherCall { get; set; }

    public Task SendHelpAsync(string id) => _fake.DispatchAsync("INTERACTION_CREATE", new JsonObject
    {
        ["id"] = id,
        ["application_id"] = Contenders.ApplicationId,
        ["type"] = 2,
        ["token"] = TokenPrefix + id,
        ["version"] = 1,
        ["guild_id"] = GuildId,
        ["channel_id"] = "300000000000000001",
        ["member"] = new JsonObject { ["user"] = User("1" + id), ["roles"] = new JsonArray() },
        ["context"] = 0,
        ["data"] = new JsonObject { ["id"] = "200000000000000001", ["name"] = "help", ["type"] = 1 },
        ["locale"] = "en-US",
        ["guild_locale"] = "en-US",
        ["app_permissions"] = "0",
        ["entitlements"] = new JsonArray(),
        ["authorizing_integration_owners"] = new JsonObject { ["0"] = GuildId },
        ["attachment_size_limit"] = 10_485_760,
        ["channel"] = new JsonObject { ["id"] = "300000000000000001", ["type"] = 0, ["guild_id"] = GuildId },
    });

    /// <summary>A survivor's first direct message: nothing in it suggests danger, so the answer is the welcome and the consent question.</summary>
    public Task SendDirectMessageAsync(string messageId, string userId) => _fake.DispatchAsync("MESSAGE_CREATE", new JsonObject
    {
        ["id"] = messageId,
        ["channel_id"] = "dm-" + userId,
        ["channel_type"] = 1,
        ["author"] = User(userId),
        ["content"] = "My counsellor started texting me late at night and now I don't know what to do about it.",
        ["timestamp"] = "2026-11-29T00:00:00.000000+00:00",
        ["tts"] = false,
        ["mention_everyone"] = false,
        ["mentions"] = new JsonArray(),
        ["attachments"] = new JsonArray(),
        ["embeds"] = new JsonArray(),
        ["type"] = 0,
    });

    /// <summary>A button pressed in the survivor's DM (no guild, no member).</summary>
    public Task SendPressAsync(string id, string userId, string customId) => _fake.DispatchAsync("INTERACTION_CREATE", new JsonObject
    {
        ["id"] = id,
        ["application_id"] = Contenders.ApplicationId,
        ["type"] = 3,
        ["token"] = TokenPrefix + id,
        ["version"] = 1,
        ["channel_id"] = "dm-" + userId,
        ["user"] = User(userId),
        ["context"] = 1,
        ["message"] = new JsonObject { ["id"] = "310000000000000001", ["flags"] = 0 },
        ["data"] = new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 },
        ["locale"] = "en-US",
        ["app_permissions"] = "0",
        ["entitlements"] = new JsonArray(),
        ["authorizing_integration_owners"] = new JsonObject { ["1"] = userId },
        ["attachment_size_limit"] = 10_485_760,
    });

    /// <summary>Sends /help until one is answered: the bot is connected and its first request is behind it.</summary>
    public async Task WarmUpAsync(BotProcess bot, TimeSpan limit)
    {
        await FakeDiscord.WaitAsync(() => _fake.Frames.FirstOrDefault(f => f.Op == 2), $"{bot.Name} identifying", limit.TotalSeconds);
        var until = DateTime.UtcNow + limit;
        for (var attempt = 1; DateTime.UtcNow < until && !bot.HasExited; attempt++)
        {
            var id = (1_000_000 + attempt).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await SendHelpAsync(id);
            for (var wait = 0; wait < 100 && !Answered.ContainsKey(id); wait++)
            {
                await Task.Delay(20);
            }

            if (Answered.ContainsKey(id))
            {
                return;
            }
        }

        throw new InvalidOperationException($"{bot.Name} did not answer /help within {limit.TotalSeconds} s:\n{bot.Tail}");
    }

    public ValueTask DisposeAsync()
    {
        _fake.OnCall = null;
        return ValueTask.CompletedTask;
    }

    // A body that is not the JSON expected counts as an answer: the bench measures speed, the tests check content.
    private static int? CallbackType(RestCall call)
    {
        try
        {
            return call.Json?["type"]?.GetValue<int>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static JsonObject User(string id) => new() { ["id"] = id, ["username"] = "bench" + id, ["global_name"] = "bench" };

    private void Count(string kind) => InteractionCalls.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private void Observe(RestCall call)
    {
        var parts = call.Path.Trim('/').Split('/');
        switch (parts)
        {
            case ["interactions", var id, _, "callback"]:
                FirstResponse.TryAdd(id, call.Timestamp);
                var type = CallbackType(call);
                Count($"callback {type}");
                // Type 5 and 6 defer: the answer follows as a webhook edit.
                if (type is not (5 or 6))
                {
                    Answered.TryAdd(id, call.Timestamp);
                }

                break;
            case ["webhooks", _, var token, ..] when token.StartsWith(TokenPrefix, StringComparison.Ordinal):
                Count(call.Method == "PATCH" ? "edit" : "follow-up");
                Answered.TryAdd(token[TokenPrefix.Length..], call.Timestamp);
                break;
            default:
                OnOtherCall?.Invoke(call);
                break;
        }
    }
}
