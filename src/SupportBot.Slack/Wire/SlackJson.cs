using System.Text.Json;
using System.Text.Json.Serialization;

namespace SupportBot.Slack.Wire;

/// <summary>Source-generated (de)serialization of Slack's wire shapes, snake_case as Slack writes them.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SocketFrame))]
[JsonSerializable(typeof(ApiResponse))]
[JsonSerializable(typeof(SlashPayload))]
[JsonSerializable(typeof(EventCallback))]
[JsonSerializable(typeof(InteractivePayload))]
internal sealed partial class SlackJson : JsonSerializerContext;

/// <summary>Any Socket Mode frame from Slack: hello, disconnect or an envelope.</summary>
internal sealed record SocketFrame(string? Type, string? EnvelopeId, JsonElement? Payload, string? Reason);

/// <summary>The parts of Web API answers the bot reads.</summary>
internal sealed record ApiResponse(
    bool Ok,
    string? Error,
    string? Url,
    string? UserId,
    ChannelRef? Channel,
    IReadOnlyList<string>? Users,
    UserInfo? User,
    IReadOnlyList<HistoryMessage>? Messages);

/// <summary>A message of conversations.history, as far as the bot reads it: the metadata it posted it with.</summary>
internal sealed record HistoryMessage(MessageMetadata? Metadata);

/// <summary>Message metadata (chat.postMessage's <c>metadata</c>): the bot's own carries a reply's nonce.</summary>
internal sealed record MessageMetadata(string? EventType, ReplyKey? EventPayload);

internal sealed record ReplyKey(string? Nonce);

/// <summary>Slack answers <c>channel</c> as an object (conversations.open) or as an id (chat.postMessage).</summary>
[JsonConverter(typeof(ChannelRefConverter))]
internal sealed record ChannelRef(string Id);

internal sealed class ChannelRefConverter : JsonConverter<ChannelRef>
{
    public override ChannelRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new ChannelRef(reader.GetString() ?? "");
        }

        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("id", out var id)
            ? new ChannelRef(id.GetString() ?? "")
            : null;
    }

    public override void Write(Utf8JsonWriter writer, ChannelRef value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);
}

/// <summary>The names of a person from users.info: username, display name and real name (Slack sends "" for one not set).</summary>
[JsonConverter(typeof(UserInfoConverter))]
internal sealed record UserInfo(string? Name, string? DisplayName, string? RealName);

/// <summary>users.info answers <c>user</c> as an object; auth.test answers it as a name, which the bot does not read.</summary>
internal sealed class UserInfoConverter : JsonConverter<UserInfo>
{
    public override UserInfo? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var user = doc.RootElement;
        if (user.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var profile = user.TryGetProperty("profile", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        return new UserInfo(Text(user, "name"), Text(profile, "display_name"), Text(profile, "real_name") ?? Text(user, "real_name"));
    }

    public override void Write(Utf8JsonWriter writer, UserInfo value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("name", value.Name);
        writer.WriteStartObject("profile");
        writer.WriteString("display_name", value.DisplayName);
        writer.WriteString("real_name", value.RealName);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}

/// <summary>A slash command, as form fields over HTTP or as the JSON payload of a Socket Mode envelope.</summary>
internal sealed record SlashPayload(
    string? Command,
    string? Text,
    string? UserId,
    string? UserName,
    string? ChannelId,
    string? ResponseUrl,
    string? TriggerId);

/// <summary>The Events API wrapper (also url_verification).</summary>
internal sealed record EventCallback(string? Type, string? EventId, string? Challenge, MessageEvent? Event);

internal sealed record MessageEvent(
    string? Type,
    string? Subtype,
    string? Channel,
    string? ChannelType,
    string? User,
    string? BotId,
    string? Text);

/// <summary>block_actions and view_submission payloads.</summary>
internal sealed record InteractivePayload(
    string? Type,
    SlackUser? User,
    string? TriggerId,
    string? ResponseUrl,
    Container? Container,
    IReadOnlyList<BlockAction>? Actions,
    ViewPayload? View,
    StatePayload? State);

internal sealed record SlackUser(string? Id, string? Username, string? Name);

internal sealed record Container(string? ChannelId, bool IsEphemeral);

internal sealed record BlockAction(string? ActionId, string? Type, OptionValue? SelectedOption, string? ActionTs);

internal sealed record OptionValue(string? Value);

internal sealed record ViewPayload(string? Id, string? CallbackId, StatePayload? State);

/// <summary>state.values: block id → action id → the element's current value.</summary>
internal sealed record StatePayload(IReadOnlyDictionary<string, IReadOnlyDictionary<string, ElementState>>? Values);

internal sealed record ElementState(string? Value, OptionValue? SelectedOption, IReadOnlyList<OptionValue>? SelectedOptions);
