using System.Text.Json.Nodes;

namespace SupportBot.Tests.Support;

/// <summary>Every string a platform payload holds, one per line: what a person would read in it, wherever the platform put it.</summary>
internal static class JsonText
{
    public static string Of(JsonNode? node) => node switch
    {
        JsonObject o => string.Join("\n", o.Select(p => Of(p.Value))),
        JsonArray a => string.Join("\n", a.Select(Of)),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => "",
    };
}
