using System.Text.Json.Serialization;

namespace SupportBot.Discord.Wire;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(HelloData))]
[JsonSerializable(typeof(ReadyData))]
[JsonSerializable(typeof(HeartbeatFrame))]
[JsonSerializable(typeof(IdentifyFrame))]
[JsonSerializable(typeof(ResumeFrame))]
[JsonSerializable(typeof(GatewayBot))]
[JsonSerializable(typeof(WireMessage))]
[JsonSerializable(typeof(IReadOnlyList<WireMessage>))]
[JsonSerializable(typeof(DiscordSession))]
[JsonSerializable(typeof(WireInteraction))]
[JsonSerializable(typeof(InteractionData))]
[JsonSerializable(typeof(WireMember))]
[JsonSerializable(typeof(WireChannel))]
[JsonSerializable(typeof(MessageBody))]
[JsonSerializable(typeof(InteractionCallback))]
[JsonSerializable(typeof(CreateDm))]
[JsonSerializable(typeof(IReadOnlyList<ApplicationCommand>))]
[JsonSerializable(typeof(RateLimitBody))]
[JsonSerializable(typeof(bool))]
internal sealed partial class DiscordJson : JsonSerializerContext;
