using System.Text.Json.Nodes;

namespace SupportBot.Tests.Fakes;

/// <summary>
/// Payloads as Slack delivers them (after its documented samples), for the tests and for the cluster benchmark, which
/// compiles this file too: one place for their shape.
/// </summary>
internal static class SlackPayloads
{
    /// <summary>A slash command as <paramref name="slack"/> would deliver it, for tests that run the bot in their own host or process.</summary>
    public static JsonObject SlashCommand(FakeSlack slack, string user, string command, string text, string responseId) => new()
    {
        ["token"] = "verification-token",
        ["team_id"] = "T111",
        ["channel_id"] = "C111",
        ["channel_name"] = "random",
        ["user_id"] = user,
        ["user_name"] = user.ToLowerInvariant(),
        ["command"] = command,
        ["text"] = text,
        ["api_app_id"] = "A111",
        ["response_url"] = slack.ResponseUrl(responseId),
        ["trigger_id"] = "trigger-" + Guid.NewGuid().ToString("N"),
    };

    public static JsonObject DirectMessage(string user, string text, string eventId) => new()
    {
        ["token"] = "verification-token",
        ["team_id"] = "T111",
        ["api_app_id"] = "A111",
        ["type"] = "event_callback",
        ["event_id"] = eventId,
        ["event_time"] = 1700000000,
        ["event"] = new JsonObject
        {
            ["type"] = "message",
            ["channel"] = "D" + user,
            ["user"] = user,
            ["text"] = text,
            ["ts"] = "1700000000.000100",
            ["event_ts"] = "1700000000.000100",
            ["channel_type"] = "im",
        },
    };

    /// <summary>A button press as <paramref name="slack"/> would deliver it, for tests that run the adapter in their own host.</summary>
    public static JsonObject ButtonPress(FakeSlack slack, string user, string actionId, string channel, string responseId, JsonObject? state = null) => new()
    {
        ["type"] = "block_actions",
        ["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["name"] = user.ToLowerInvariant(), ["team_id"] = "T111" },
        ["api_app_id"] = "A111",
        ["token"] = "verification-token",
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1700000000.000200", ["channel_id"] = channel, ["is_ephemeral"] = channel.StartsWith('C') },
        ["trigger_id"] = "trigger-" + Guid.NewGuid().ToString("N"),
        ["team"] = new JsonObject { ["id"] = "T111", ["domain"] = "test" },
        ["channel"] = new JsonObject { ["id"] = channel },
        ["response_url"] = slack.ResponseUrl(responseId),
        ["state"] = state ?? new JsonObject { ["values"] = new JsonObject() },
        ["actions"] = new JsonArray(new JsonObject
        {
            ["action_id"] = actionId,
            ["block_id"] = "b1",
            ["type"] = "button",
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "x" },
            ["action_ts"] = "1700000000.000300",
        }),
    };

    /// <summary>All the buttons' action ids in the blocks of a recorded message or response.</summary>
    public static IReadOnlyList<string> ActionIds(JsonObject message) =>
        (message["blocks"] as JsonArray ?? [])
            .SelectMany(b => b?["elements"] as JsonArray ?? [])
            .Where(e => e?["type"]?.GetValue<string>() == "button")
            .Select(e => e!["action_id"]!.GetValue<string>())
            .ToList();
}
