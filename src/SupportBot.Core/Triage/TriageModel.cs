using System.Collections.Frozen;

namespace SupportBot.Core.Triage;

/// <summary>
/// prompts/triage-model.json as written by tools/SupportBot.TriageTrainer: a multinomial logistic regression over
/// the features of <see cref="TriageFeatures"/>. <see cref="Top"/> lists the strongest features of each kind for
/// admins to read; the detector uses only the classes, the threshold, the rule gate, the bias and the weights.
/// <see cref="RuleGate"/>: a rule's hit raises the alarm only when the model gives the message, or the sentence the rule
/// fired in, at least this probability of risk (0: rules always fire). The trainer learns it (Eval/README.md).
/// </summary>
public sealed record TriageModelFile(
    IReadOnlyList<string> Classes,
    double Threshold,
    IReadOnlyList<double> Bias,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Top,
    TriageWeights Weights,
    double RuleGate = 0);

/// <summary>
/// The trained model, ready to score. A feature is found by a 64-bit hash of its text, so scoring a message looks up
/// spans and allocates nothing; the names stay for explanations.
/// </summary>
internal sealed class TriageModel
{
    /// <summary>The classes in the order of the weights: "none", then the kinds in the order of <see cref="RiskKind"/>.</summary>
    public static readonly IReadOnlyList<string> ClassNames = ["none", .. RiskKinds.Names];

    private readonly FrozenDictionary<ulong, int> _rows;
    private readonly string[] _names;
    private readonly float[] _weights;
    private readonly double[] _bias;

    public TriageModel(TriageModelFile file)
    {
        if (!file.Classes.SequenceEqual(ClassNames, StringComparer.Ordinal))
        {
            throw new TriageModelException($"the classes should be {string.Join(", ", ClassNames)}.", "\"classes\"");
        }

        if (file.Threshold is <= 0 or >= 1 || file.Bias.Count != ClassNames.Count)
        {
            throw new TriageModelException("the threshold should be between 0 and 1, with one bias per class.", "\"threshold\"");
        }

        if (file.RuleGate < 0 || file.RuleGate >= file.Threshold)
        {
            throw new TriageModelException("the rule gate should be at least 0 and below the threshold.", "\"ruleGate\"");
        }

        _names = [.. file.Weights.Names];
        _weights = new float[_names.Length * ClassNames.Count];
        var rows = new Dictionary<ulong, int>(_names.Length);
        for (var row = 0; row < _names.Length; row++)
        {
            var weights = file.Weights.Of(row);
            if (weights.Length != ClassNames.Count)
            {
                throw new TriageModelException($"the feature \"{_names[row]}\" needs one weight per class.", $"\"{_names[row]}\"");
            }

            if (!rows.TryAdd(Hash(_names[row]), row))
            {
                throw new TriageModelException($"the feature \"{_names[row]}\" is listed twice.", $"\"{_names[row]}\"");
            }

            weights.CopyTo(_weights.AsSpan(row * ClassNames.Count));
        }

        _rows = rows.ToFrozenDictionary();
        _bias = [.. file.Bias];
        Threshold = file.Threshold;
        RuleGate = file.RuleGate;
    }

    /// <summary>The probability of risk (any kind) at or above which the model's kind is taken.</summary>
    public double Threshold { get; }

    /// <summary>The probability of risk below which the model doubts a rule's hit, so it raises nothing.</summary>
    public double RuleGate { get; }

    public int FeatureCount => _names.Length;

    /// <summary>
    /// The model's reading of a message: the probability of each class, from the features the sink was given.
    /// </summary>
    public Reading Read(ReadOnlySpan<int> tokens, ReadOnlySpan<string> words, ReadOnlySpan<char> marks, IReadOnlyDictionary<int, string[]> classes)
    {
        var sink = new ScoreSink(this, new double[ClassNames.Count + 1]);
        TriageFeatures.Extract(tokens, words, marks, classes, ref sink);
        // A message's features weigh 1/√n each (n counts every feature, known or not), so a long message is not more
        // certain than a short one just for being long.
        var scores = sink.Scores.AsSpan(0, ClassNames.Count);
        var scale = 1 / Math.Sqrt(Math.Max(sink.Scores[^1], 1));
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] = _bias[c] + scores[c] * scale;
        }

        var max = double.MinValue;
        foreach (var score in scores)
        {
            max = Math.Max(max, score);
        }

        var total = 0.0;
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] = Math.Exp(scores[c] - max);
            total += scores[c];
        }

        var best = 1;
        for (var c = 1; c < scores.Length; c++)
        {
            scores[c] /= total;
            best = scores[c] > scores[best] ? c : best;
        }

        var risk = 1 - scores[0] / total;
        return new Reading((RiskKind)(best - 1), risk);
    }

    /// <summary>
    /// The features of a message that pushed most towards <paramref name="kind"/> rather than "none", strongest first:
    /// the model's answer to "why", for admins and tests. They are made of the message's words, so never log them.
    /// </summary>
    public IReadOnlyList<string> Evidence(
        ReadOnlySpan<int> tokens, ReadOnlySpan<string> words, ReadOnlySpan<char> marks, IReadOnlyDictionary<int, string[]> classes, RiskKind kind, int count)
    {
        var sink = new RowSink(this, []);
        TriageFeatures.Extract(tokens, words, marks, classes, ref sink);
        var column = (int)kind + 1;
        return sink.Rows.Distinct()
            .Select(row => (row, push: _weights[row * ClassNames.Count + column] - _weights[row * ClassNames.Count]))
            .Where(x => x.push > 0)
            .OrderByDescending(x => x.push)
            .ThenBy(x => _names[x.row], StringComparer.Ordinal)
            .Take(count)
            .Select(x => _names[x.row])
            .ToList();
    }

    /// <summary>FNV-1a over the characters: the same for a name read from the file and a feature built from a message.</summary>
    internal static ulong Hash(ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private int Row(ReadOnlySpan<char> feature) => _rows.TryGetValue(Hash(feature), out var row) ? row : -1;

    /// <summary>The kind the model finds likeliest, and the probability that the message is any kind of risk.</summary>
    internal readonly record struct Reading(RiskKind Kind, double RiskProbability);

    private readonly struct ScoreSink(TriageModel model, double[] scores) : IFeatureSink
    {
        /// <summary>The sum of the weights per class, and last the number of features seen.</summary>
        public double[] Scores { get; } = scores;

        public void Add(ReadOnlySpan<char> feature)
        {
            Scores[^1]++;
            var row = model.Row(feature);
            if (row < 0)
            {
                return;
            }

            var weights = model._weights.AsSpan(row * ClassNames.Count, ClassNames.Count);
            for (var c = 0; c < weights.Length; c++)
            {
                Scores[c] += weights[c];
            }
        }
    }

    private readonly struct RowSink(TriageModel model, List<int> rows) : IFeatureSink
    {
        public List<int> Rows { get; } = rows;

        public void Add(ReadOnlySpan<char> feature)
        {
            if (model.Row(feature) is >= 0 and var row)
            {
                Rows.Add(row);
            }
        }
    }
}

/// <summary>Collects the features of a message by name, for the training tool.</summary>
internal readonly struct NameSink(List<string> names) : IFeatureSink
{
    public void Add(ReadOnlySpan<char> feature) => names.Add(feature.ToString());
}

/// <summary>An entry of prompts/triage-model.json that cannot be used; <see cref="Near"/> is text to find its line by.</summary>
public sealed class TriageModelException(string message, string? near) : Exception(message)
{
    public string? Near { get; } = near;
}
