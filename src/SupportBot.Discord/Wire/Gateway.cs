using System.Text.Json.Serialization;

namespace SupportBot.Discord.Wire;

internal sealed record HelloData(int HeartbeatInterval);

internal sealed record ReadyData(string SessionId, string? ResumeGatewayUrl, WireUser User);

internal sealed record HeartbeatFrame([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? D, int Op = 1);

internal sealed record IdentifyFrame(IdentifyData D, int Op = 2);

internal sealed record IdentifyData(string Token, int Intents, IdentifyProperties Properties, IReadOnlyList<int> Shard);

internal sealed record IdentifyProperties(
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("browser")] string Browser,
    [property: JsonPropertyName("device")] string Device);

internal sealed record ResumeFrame(ResumeData D, int Op = 6);

internal sealed record ResumeData(string Token, string SessionId, int? Seq);

internal sealed record GatewayBot(string Url, int? Shards, SessionStartLimit? SessionStartLimit);

internal sealed record SessionStartLimit(int Total, int Remaining, long ResetAfter, int MaxConcurrency);
