using System.Text.Json;
using System.Text.Json.Serialization;

namespace SupportBot.Core.Triage;

/// <summary>
/// The "weights" of triage-model.json: each feature's name and its weights, read in one pass into flat arrays. Read as
/// a dictionary of lists, its 40,000 features cost about a fifth of a second of CPU at every start.
/// </summary>
[JsonConverter(typeof(TriageWeightsConverter))]
public sealed class TriageWeights(string[] names, int[] starts, float[] values)
{
    /// <summary>The features in the order of the file.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The weights of the feature in row <paramref name="row"/> of <see cref="Names"/>, as the file lists them.</summary>
    public ReadOnlySpan<float> Of(int row) => values.AsSpan(starts[row], starts[row + 1] - starts[row]);
}

/// <summary>Reads and writes <see cref="TriageWeights"/> as an object of feature names, each an array of numbers.</summary>
public sealed class TriageWeightsConverter : JsonConverter<TriageWeights>
{
    public override TriageWeights Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartObject, "an object of features");
        List<string> names = [];
        List<int> starts = [0];
        List<float> values = [];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            names.Add(reader.GetString()!);
            reader.Read();
            Expect(ref reader, JsonTokenType.StartArray, "an array of numbers for each feature");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                Expect(ref reader, JsonTokenType.Number, "numbers only in a feature's weights");
                // Through double, as the file's weights were always read: the same float for the same text.
                values.Add((float)reader.GetDouble());
            }

            starts.Add(values.Count);
        }

        Expect(ref reader, JsonTokenType.EndObject, "an object of features");
        return new TriageWeights([.. names], [.. starts], [.. values]);
    }

    public override void Write(Utf8JsonWriter writer, TriageWeights value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        for (var row = 0; row < value.Names.Count; row++)
        {
            writer.WriteStartArray(value.Names[row]);
            foreach (var weight in value.Of(row))
            {
                writer.WriteNumberValue(weight);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"\"weights\" should be {what}; found {reader.TokenType}.");
        }
    }
}
