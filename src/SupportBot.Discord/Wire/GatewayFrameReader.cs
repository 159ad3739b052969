using System.Text.Json;

namespace SupportBot.Discord.Wire;

/// <summary>
/// Any frame the gateway sends. <c>s</c> and <c>t</c> may be missing on non-dispatch frames; <see cref="D"/> is the
/// frame's <c>d</c> as raw UTF-8 JSON, a slice of the received frame (empty when missing or null), read by whoever
/// needs it straight into its own type.
/// </summary>
internal sealed record GatewayFrame(int Op, ReadOnlyMemory<byte> D, int? S, string? T);

/// <summary>
/// Reads a gateway frame in one pass over its bytes: <c>op</c>, <c>s</c> and <c>t</c>, and where <c>d</c> is, without
/// building a document of it. Under a burst this is most frames' only parse before the event's own type is read from the
/// slice. Reads what the serializer read before (numbers also as strings, unknown properties ignored, the last of
/// repeated ones kept) and throws <see cref="JsonException"/> where it threw.
/// </summary>
internal static class GatewayFrameReader
{
    // The dispatch names the bot reads, kept as one string each instead of one per frame.
    private static readonly string[] KnownEvents = ["INTERACTION_CREATE", "MESSAGE_CREATE", "READY", "RESUMED"];

    /// <summary>The frame, or null when it is the JSON literal null. <paramref name="frame"/> must outlive the result's <c>D</c>.</summary>
    public static GatewayFrame? Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new Utf8JsonReader(frame.Span);
        if (!reader.Read())
        {
            throw new JsonException("An empty gateway frame.");
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            End(ref reader);
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A gateway frame is not a JSON object.");
        }

        var op = 0;
        int? s = null;
        string? t = null;
        var d = ReadOnlyMemory<byte>.Empty;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                op = Int(ref reader) ?? throw new JsonException("A gateway frame's op is null.");
            }
            else if (reader.ValueTextEquals("s"u8))
            {
                reader.Read();
                s = Int(ref reader);
            }
            else if (reader.ValueTextEquals("t"u8))
            {
                reader.Read();
                t = Name(ref reader);
            }
            else if (reader.ValueTextEquals("d"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                d = reader.TokenType == JsonTokenType.Null ? ReadOnlyMemory<byte>.Empty : frame[start..(int)reader.BytesConsumed];
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        End(ref reader);
        return new GatewayFrame(op, d, s, t);
    }

    // Nothing but whitespace may follow the frame's value.
    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("A gateway frame has content after its value.");
        }
    }

    private static int? Int(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt32(out var n) => n,
        JsonTokenType.String when int.TryParse(reader.ValueSpan, out var n) && !reader.ValueIsEscaped => n,
        _ => throw new JsonException("A gateway frame's number is not an integer."),
    };

    private static string? Name(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A gateway frame's event name is not a string.");
        }

        foreach (var known in KnownEvents)
        {
            if (reader.ValueTextEquals(known))
            {
                return known;
            }
        }

        return reader.GetString();
    }
}
