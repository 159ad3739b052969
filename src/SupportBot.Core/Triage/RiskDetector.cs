using System.Collections.Frozen;

namespace SupportBot.Core.Triage;

/// <summary>
/// Reads a message for signs that the person may not be safe, with the rules in prompts/triage.json. A rule fires
/// unless its words are part of an idiom that is not risk ("killing it", "take my life back"), a negation comes just
/// before it in the same clause ("I'm not suicidal"), or its sentence is about the past and says nothing about now
/// ("I used to self-harm as a teenager"). What fires says its rule and kind, so the answer fits and an admin can see
/// why. It runs in microseconds and allocates little, because every direct message passes through it.
/// When no rule fires, a trained model (prompts/triage-model.json) reads the same words, with the same idioms,
/// negations and past marked, and a kind whose probability of risk reaches the model's threshold fires as "model".
/// When a rule fires, the model must not doubt it: the message, or the sentence the rule fired in, must reach the model's
/// lower "rule gate" ("ran 5 kms this morning" matches a rule and stays quiet). The trainer learns the gate.
/// A long message is also read by its parts (sentences, and clauses of long sentences), so risk said in one clause of a
/// run-on DM about a complaint is not drowned by the rest.
/// </summary>
public sealed class RiskDetector
{
    private readonly Lexicon _lexicon;
    private readonly CompiledRule[] _rules;
    private readonly FrozenDictionary<int, CompiledRule[]> _rulesByFirstWord;
    private readonly FrozenDictionary<int, TriagePattern[]> _notRiskByFirstWord;
    private readonly FrozenDictionary<int, TriagePattern[]> _pastByFirstWord;
    private readonly FrozenDictionary<int, TriagePattern[]> _nowByFirstWord;
    private readonly FrozenDictionary<int, TriagePattern[]> _pastAfterByFirstWord;
    private readonly FrozenSet<int> _negations;
    private readonly int _negationReach;
    private readonly TriageModel? _model;
    private readonly FrozenDictionary<int, string[]> _classesOfWord;

    private RiskDetector(
        Lexicon lexicon,
        CompiledRule[] rules,
        TriagePattern[] notRisk,
        TriagePattern[] past,
        TriagePattern[] now,
        TriagePattern[] pastAfter,
        FrozenSet<int> negations,
        int negationReach,
        FrozenDictionary<int, string[]> classesOfWord,
        TriageModel? model)
    {
        _lexicon = lexicon;
        _rules = rules;
        _rulesByFirstWord = Index(rules, r => r.Pattern);
        _notRiskByFirstWord = Index(notRisk, p => p);
        _pastByFirstWord = Index(past, p => p);
        _nowByFirstWord = Index(now, p => p);
        _pastAfterByFirstWord = Index(pastAfter, p => p);
        _negations = negations;
        _negationReach = negationReach;
        _classesOfWord = classesOfWord;
        _model = model;
    }

    private RiskDetector(RiskDetector rulesOf)
    {
        _lexicon = rulesOf._lexicon;
        _rules = rulesOf._rules;
        _rulesByFirstWord = rulesOf._rulesByFirstWord;
        _notRiskByFirstWord = rulesOf._notRiskByFirstWord;
        _pastByFirstWord = rulesOf._pastByFirstWord;
        _nowByFirstWord = rulesOf._nowByFirstWord;
        _pastAfterByFirstWord = rulesOf._pastAfterByFirstWord;
        _negations = rulesOf._negations;
        _negationReach = rulesOf._negationReach;
        _classesOfWord = rulesOf._classesOfWord;
    }

    /// <summary>
    /// From this many tokens a message is long enough that the model also reads its parts alone (<see cref="Parts"/>).
    /// Shorter messages are read whole only: their other sentences are context ("That was 2017.") more often than noise.
    /// </summary>
    private const int LongMessage = 40;

    /// <summary>From this many tokens a sentence of a long message is also read clause by clause.</summary>
    private const int LongSentence = 20;

    /// <summary>The id a finding of the model carries instead of a rule's id.</summary>
    public const string ModelId = "model";

    /// <summary>The number of rules, for the start-up log and the benchmark.</summary>
    public int RuleCount => _rules.Length;

    /// <summary>The number of the model's features; 0 without a model.</summary>
    public int ModelFeatureCount => _model?.FeatureCount ?? 0;

    /// <summary>
    /// Compiles the vocabulary. A problem throws <see cref="TriageVocabularyException"/> saying which entry is wrong
    /// and the text to find it by, so the loader can name the file and line.
    /// Without <paramref name="model"/> only the rules read messages.
    /// </summary>
    public static RiskDetector Create(TriageVocabulary vocabulary, TriageModelFile? model = null)
    {
        var lexicon = new Lexicon(vocabulary.Spellings, vocabulary.Forms);
        var classes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (name, members) in vocabulary.Classes)
        {
            Check(members.Count > 0, $"the class \"{name}\" is empty.", $"\"{name}\"");
            classes[name] = members.Select(m =>
            {
                if (m.Trim() == "#")
                {
                    return Lexicon.Number;
                }

                var spelled = lexicon.Spell(m.Trim());
                Check(m.Trim().Length > 0 && spelled.Count == 1 && !spelled[0].Contains(' ', StringComparison.Ordinal),
                    $"the class \"{name}\" has \"{m}\", which is not one word.", $"\"{m}\"");
                return lexicon.Intern(spelled[0]);
            }).ToArray();
        }

        TriagePattern Compile(string pattern, string what)
        {
            try
            {
                return TriagePattern.Compile(pattern, lexicon, classes);
            }
            catch (TriagePatternException e)
            {
                throw new TriageVocabularyException($"{what} \"{pattern}\": {e.Message}", $"\"{pattern}\"");
            }
        }

        var rules = new List<CompiledRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in vocabulary.Rules)
        {
            Check(!string.IsNullOrWhiteSpace(rule.Id) && ids.Add(rule.Id),
                $"the rule id \"{rule.Id}\" is empty or used twice.", $"\"{rule.Id}\"");
            Check(RiskKinds.TryParse(rule.Kind, out var kind),
                $"rule \"{rule.Id}\" has kind \"{rule.Kind}\"; use one of {string.Join(", ", RiskKinds.Names)}.", $"\"{rule.Id}\"");
            rules.Add(new CompiledRule(rule.Id, kind, Compile(rule.Pattern, $"rule \"{rule.Id}\" pattern"), rule.Negatable, rule.Timeless));
        }

        Check(rules.Count > 0, "there are no rules.", "\"rules\"");
        Check(vocabulary.NegationReach is >= 1 and <= 6, "negationReach should be a number from 1 to 6.", "\"negationReach\"");
        var negations = vocabulary.Negations.SelectMany(lexicon.Spell).Select(lexicon.Intern).ToFrozenSet();
        lexicon.SetClauseBreaks(vocabulary.ClauseBreaks.SelectMany(lexicon.Spell).Select(lexicon.Intern));
        return new RiskDetector(
            lexicon,
            [.. rules],
            [.. vocabulary.NotRisk.Select(p => Compile(p, "notRisk"))],
            [.. vocabulary.Past.Select(p => Compile(p, "past"))],
            [.. vocabulary.Now.Select(p => Compile(p, "now"))],
            [.. (vocabulary.PastAfter ?? []).Select(p => Compile(p, "pastAfter"))],
            negations,
            vocabulary.NegationReach,
            classes.SelectMany(c => c.Value.Where(id => id > Lexicon.Unknown).Select(id => (id, name: "@" + c.Key)))
                .GroupBy(x => x.id)
                .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()),
            model is null ? null : new TriageModel(model));
    }

    /// <summary>The same rules without the model: to measure what the model adds.</summary>
    public RiskDetector WithoutModel() => _model is null ? this : new RiskDetector(this);

    /// <summary>
    /// What fired in a message, at most one finding per kind. Empty text is never risk. When no rule fires and the model
    /// does, the one finding is the model's kind, with id <see cref="ModelId"/> and the features that weighed most.
    /// </summary>
    public RiskAssessment Assess(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return RiskAssessment.None;
        }

        var ids = new List<int>(Math.Min(text.Length / 3 + 4, 2048));
        var words = _model is null ? null : new List<string>(ids.Capacity);
        _lexicon.Tokenize(text, ids, words);
        var tokens = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        Span<bool> masked = tokens.Length <= 512 ? stackalloc bool[tokens.Length] : new bool[tokens.Length];
        MaskIdioms(tokens, masked);

        List<RiskFinding>? findings = null;
        List<int>? starts = null;
        foreach (var match in Matches(tokens, masked, stopWhenAllKindsFound: true))
        {
            if (match.Outcome == MatchOutcome.Fired && (findings is null || findings.TrueForAll(f => f.Kind != match.Kind)))
            {
                (findings ??= []).Add(new RiskFinding(match.Kind, match.RuleId));
                (starts ??= []).Add(match.Start);
            }
        }

        if (_model is not null && words is not null)
        {
            var said = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(words);
            Span<char> marks = tokens.Length <= 512 ? stackalloc char[tokens.Length] : new char[tokens.Length];
            Mark(tokens, masked, marks);
            if (findings is not null && starts is not null)
            {
                // The rules' hits in text they were not written against are wrong more often than the model's (Eval/README.md):
                // one that the model finds unlikely in the message and in its own sentence raises nothing.
                return ModelConfirms(tokens, said, marks, starts)
                    ? new RiskAssessment([.. findings.OrderBy(f => f.Kind)])
                    : RiskAssessment.None;
            }

            var (reading, from, to) = ReadByParts(tokens, said, marks, enough: _model.Threshold);
            if (reading.RiskProbability >= _model.Threshold)
            {
                var evidence = _model.Evidence(tokens[from..to], said[from..to], marks[from..to], _classesOfWord, reading.Kind, 5);
                return new RiskAssessment([new RiskFinding(reading.Kind, ModelId, evidence)]);
            }
        }

        return findings is null ? RiskAssessment.None : new RiskAssessment([.. findings.OrderBy(f => f.Kind)]);
    }

    /// <summary>Every rule that matched, with whether it fired or why not: for admins tuning the vocabulary.</summary>
    public IReadOnlyList<RuleMatch> Explain(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var (tokens, words, masked, marks) = ReadForTools(text);
        var matches = Matches(tokens, masked, stopWhenAllKindsFound: false);
        if (_model is null || !matches.Exists(m => m.Outcome == MatchOutcome.Fired))
        {
            return matches;
        }

        // The same starts Assess checks: the first rule of each kind that fires.
        var starts = Matches(tokens, masked, stopWhenAllKindsFound: true).Where(m => m.Outcome == MatchOutcome.Fired).Select(m => m.Start).ToList();
        return ModelConfirms(tokens, words, marks, starts)
            ? matches
            : matches.ConvertAll(m => m.Outcome == MatchOutcome.Fired ? m with { Outcome = MatchOutcome.Doubted } : m);
    }

    /// <summary>
    /// The model's features of each sentence a rule fires in (the first rule of each kind, as <see cref="Assess"/> reads
    /// them), when that sentence is not the whole message: what the training tool scores to learn the rule gate. Never log them.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> RuleSentenceFeatures(string text)
    {
        var (tokens, said, masked, marks) = ReadForTools(text);
        var result = new List<IReadOnlyList<string>>();
        var lastFrom = -1;
        foreach (var match in Matches(tokens, masked, stopWhenAllKindsFound: true).Where(m => m.Outcome == MatchOutcome.Fired).OrderBy(m => m.Start))
        {
            var (from, to) = SentenceAround(tokens, match.Start);
            if (from == lastFrom || (from == 0 && to == tokens.Length))
            {
                continue;
            }

            lastFrom = from;
            var names = new List<string>();
            var sink = new NameSink(names);
            TriageFeatures.Extract(tokens.AsSpan(from, to - from), said.AsSpan(from, to - from), marks.AsSpan(from, to - from), _classesOfWord, ref sink);
            result.Add(names);
        }

        return result;
    }

    /// <summary>
    /// Whether the model agrees that the rules' hits may be risk: the message, a sentence a rule fired in, or a part of a long
    /// message, reaches the model's rule gate. A long message whose risk is one sentence among questions about reporting is
    /// read by that sentence.
    /// </summary>
    private bool ModelConfirms(ReadOnlySpan<int> tokens, ReadOnlySpan<string> words, ReadOnlySpan<char> marks, List<int> starts)
    {
        var model = _model!;
        if (model.RuleGate <= 0)
        {
            return true;
        }

        // The rule's sentence first: it is shorter to read than the message, and it is where most hits are confirmed.
        var lastFrom = -1;
        foreach (var start in starts)
        {
            var (from, to) = SentenceAround(tokens, start);
            if (from != lastFrom && (from > 0 || to < tokens.Length)
                && model.Read(tokens[from..to], words[from..to], marks[from..to], _classesOfWord).RiskProbability >= model.RuleGate)
            {
                return true;
            }

            lastFrom = from;
        }

        // A run-on DM's rule sentence can be most of the message: its parts are read too, as the model reads a long message.
        return ReadByParts(tokens, words, marks, enough: model.RuleGate).Reading.RiskProbability >= model.RuleGate;
    }

    /// <summary>
    /// The model's reading of the message, or of one of its parts if that reads as likelier risk: a long message whose
    /// risk is one sentence among questions about reporting scores low as a whole (each feature weighs 1/√n). The parts
    /// are read only when the whole stays under <paramref name="enough"/>. Also the bounds of what was read, for the evidence.
    /// </summary>
    private (TriageModel.Reading Reading, int From, int To) ReadByParts(ReadOnlySpan<int> tokens, ReadOnlySpan<string> words, ReadOnlySpan<char> marks, double enough)
    {
        var model = _model!;
        var best = (Reading: model.Read(tokens, words, marks, _classesOfWord), From: 0, To: tokens.Length);
        if (best.Reading.RiskProbability >= enough || tokens.Length < LongMessage)
        {
            return best;
        }

        foreach (var (from, to) in Parts(tokens))
        {
            var reading = model.Read(tokens[from..to], words[from..to], marks[from..to], _classesOfWord);
            if (reading.RiskProbability > best.Reading.RiskProbability)
            {
                best = (reading, from, to);
            }
        }

        return best;
    }

    /// <summary>
    /// The parts of a long message the model also reads alone: each sentence, and each clause of a long sentence
    /// (DMs run on with commas where a letter would stop).
    /// </summary>
    private static List<(int From, int To)> Parts(ReadOnlySpan<int> tokens)
    {
        var parts = new List<(int From, int To)>();
        for (var from = 0; from < tokens.Length;)
        {
            var to = from;
            while (to < tokens.Length && tokens[to] != Lexicon.SentenceBreak)
            {
                to++;
            }

            if (to > from && (from > 0 || to < tokens.Length))
            {
                parts.Add((from, to));
            }

            if (to - from >= LongSentence)
            {
                for (var c = from; c < to;)
                {
                    var e = c;
                    while (e < to && tokens[e] != Lexicon.ClauseBreak)
                    {
                        e++;
                    }

                    if (e - c >= 3 && (c > from || e < to))
                    {
                        parts.Add((c, e));
                    }

                    c = e + 1;
                }
            }

            from = to + 1;
        }

        return parts;
    }

    /// <summary>
    /// The model's features of each part of a long message (<see cref="Parts"/>), as <see cref="Assess"/> reads them when
    /// the whole message does not reach the threshold: what the training tool scores to learn the threshold. Never log them.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> PartFeatures(string text)
    {
        var (tokens, said, _, marks) = ReadForTools(text);
        var result = new List<IReadOnlyList<string>>();
        if (tokens.Length < LongMessage)
        {
            return result;
        }

        foreach (var (from, to) in Parts(tokens))
        {
            var names = new List<string>();
            var sink = new NameSink(names);
            TriageFeatures.Extract(tokens.AsSpan(from, to - from), said.AsSpan(from, to - from), marks.AsSpan(from, to - from), _classesOfWord, ref sink);
            result.Add(names);
        }

        return result;
    }

    /// <summary>The bounds of the sentence that holds <paramref name="position"/>, without its breaks.</summary>
    private static (int From, int To) SentenceAround(ReadOnlySpan<int> tokens, int position)
    {
        var from = position;
        while (from > 0 && tokens[from - 1] != Lexicon.SentenceBreak)
        {
            from--;
        }

        var to = position;
        while (to < tokens.Length && tokens[to] != Lexicon.SentenceBreak)
        {
            to++;
        }

        return (from, to);
    }

    /// <summary>
    /// The model's features of a message, by name as in prompts/triage-model.json: what the training tool learns from.
    /// They are made of the message's words, so never log them.
    /// </summary>
    public IReadOnlyList<string> Features(string text)
    {
        var (tokens, words, _, marks) = ReadForTools(text);
        var names = new List<string>();
        var sink = new NameSink(names);
        TriageFeatures.Extract(tokens, words, marks, _classesOfWord, ref sink);
        return names;
    }

    /// <summary>A message read as Assess reads it, whole, for the tools (Explain, the trainer's features).</summary>
    private (int[] Tokens, string[] Words, bool[] Masked, char[] Marks) ReadForTools(string text)
    {
        var ids = new List<int>();
        var words = new List<string>();
        _lexicon.Tokenize(text, ids, words);
        var tokens = ids.ToArray();
        var masked = new bool[tokens.Length];
        MaskIdioms(tokens, masked);
        var marks = new char[tokens.Length];
        Mark(tokens, masked, marks);
        return (tokens, words.ToArray(), masked, marks);
    }

    private void MaskIdioms(ReadOnlySpan<int> tokens, Span<bool> masked)
    {
        masked.Clear();
        for (var i = 0; i < tokens.Length; i++)
        {
            if (_notRiskByFirstWord.TryGetValue(tokens[i], out var idioms))
            {
                foreach (var idiom in idioms)
                {
                    var end = idiom.MatchAt(tokens, masked, i);
                    if (end > i)
                    {
                        masked[i..end].Fill(true);
                    }
                }
            }
        }
    }

    /// <summary>
    /// How the model should take each word, by the rules' own reading: inside an idiom, within reach after a negation in
    /// the same clause, in a sentence about the past, or plainly ('\0').
    /// </summary>
    private void Mark(ReadOnlySpan<int> tokens, ReadOnlySpan<bool> masked, Span<char> marks)
    {
        marks.Clear();
        for (var start = 0; start < tokens.Length;)
        {
            var end = start;
            while (end < tokens.Length && tokens[end] != Lexicon.SentenceBreak)
            {
                end++;
            }

            if (end > start && IsAboutThePast(tokens, start))
            {
                marks[start..end].Fill(TriageFeatures.Past);
            }

            start = end + 1;
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            if (_negations.Contains(tokens[i]))
            {
                for (var j = i + 1; j < tokens.Length && j <= i + _negationReach && tokens[j] >= 0; j++)
                {
                    marks[j] = TriageFeatures.Negated;
                }
            }
        }

        for (var i = 0; i < tokens.Length; i++)
        {
            if (masked[i])
            {
                marks[i] = TriageFeatures.Idiom;
            }
        }
    }

    private List<RuleMatch> Matches(ReadOnlySpan<int> tokens, ReadOnlySpan<bool> masked, bool stopWhenAllKindsFound)
    {
        var results = new List<RuleMatch>(0);
        // Assess needs one finding per kind, so a kind that fired is skipped; Explain lists each rule once.
        var seen = stopWhenAllKindsFound ? null : new HashSet<string>(StringComparer.Ordinal);
        var firedKinds = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!_rulesByFirstWord.TryGetValue(tokens[i], out var candidates))
            {
                continue;
            }

            foreach (var rule in candidates)
            {
                var skip = seen is null ? (firedKinds & (1 << (int)rule.Kind)) != 0 : seen.Contains(rule.Id);
                var end = skip ? -1 : rule.Pattern.MatchAt(tokens, masked, i);
                if (end < 0)
                {
                    continue;
                }

                var outcome = rule.Negatable && IsNegated(tokens, i, end) ? MatchOutcome.Negated
                    : !rule.Timeless && IsAboutThePast(tokens, i) ? MatchOutcome.Past
                    : MatchOutcome.Fired;
                if (outcome != MatchOutcome.Fired && !stopWhenAllKindsFound)
                {
                    results.Add(new RuleMatch(rule.Id, rule.Kind, outcome) { Start = i });
                    continue;
                }

                if (outcome == MatchOutcome.Fired)
                {
                    seen?.Add(rule.Id);
                    results.Add(new RuleMatch(rule.Id, rule.Kind, outcome) { Start = i });
                    firedKinds |= 1 << (int)rule.Kind;
                    if (stopWhenAllKindsFound && firedKinds == (1 << RiskKinds.Names.Count) - 1)
                    {
                        return results;
                    }
                }
            }
        }

        return results;
    }

    /// <summary>A negation ("not", "never") inside the match ("I have never been suicidal") or a few words before it, in the same clause.</summary>
    private bool IsNegated(ReadOnlySpan<int> tokens, int start, int end)
    {
        foreach (var token in tokens[start..end])
        {
            if (_negations.Contains(token))
            {
                return true;
            }
        }

        for (var i = start - 1; i >= 0 && i >= start - _negationReach; i--)
        {
            if (tokens[i] < 0)
            {
                return false;
            }

            if (_negations.Contains(tokens[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The sentence says when in the past ("years ago", "used to") and nothing that brings it to now ("again"). Words a
    /// past marker used do not count for now: "back" in "back in 2015" and "anymore" in "I don't anymore" are not now.
    /// </summary>
    private bool IsAboutThePast(ReadOnlySpan<int> tokens, int position)
    {
        var (from, to) = SentenceAround(tokens, position);
        var sentence = tokens[from..to];
        Span<bool> none = sentence.Length <= 256 ? stackalloc bool[sentence.Length] : new bool[sentence.Length];
        Span<bool> taken = sentence.Length <= 256 ? stackalloc bool[sentence.Length] : new bool[sentence.Length];
        none.Clear();
        taken.Clear();
        var past = AnyMatch(_pastByFirstWord, sentence, none, taken) || IsDatedByTheNextSentence(tokens, to);
        return past && !AnyMatch(_nowByFirstWord, sentence, taken, default);
    }

    /// <summary>
    /// The sentence after <paramref name="end"/> is nothing but a date for this one: "He pushed me. That was 2017."
    /// The whole of it must match a pastAfter pattern, so "That was 2 hours ago, he is coming back" does not.
    /// </summary>
    private bool IsDatedByTheNextSentence(ReadOnlySpan<int> tokens, int end)
    {
        var from = end + 1;
        if (from >= tokens.Length || !_pastAfterByFirstWord.TryGetValue(tokens[from], out var candidates))
        {
            return false;
        }

        var to = from;
        while (to < tokens.Length && tokens[to] != Lexicon.SentenceBreak)
        {
            to++;
        }

        var next = tokens[from..to];
        Span<bool> none = next.Length <= 256 ? stackalloc bool[next.Length] : new bool[next.Length];
        none.Clear();
        foreach (var pattern in candidates)
        {
            if (pattern.MatchAt(next, none, 0) == next.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether any pattern matches; with <paramref name="taken"/>, every match is found and its words marked there.</summary>
    private static bool AnyMatch(FrozenDictionary<int, TriagePattern[]> patterns, ReadOnlySpan<int> tokens, ReadOnlySpan<bool> masked, Span<bool> taken)
    {
        var any = false;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (patterns.TryGetValue(tokens[i], out var candidates))
            {
                foreach (var pattern in candidates)
                {
                    var end = pattern.MatchAt(tokens, masked, i);
                    if (end < 0)
                    {
                        continue;
                    }

                    if (taken.IsEmpty)
                    {
                        return true;
                    }

                    any = true;
                    taken[i..end].Fill(true);
                }
            }
        }

        return any;
    }

    private static FrozenDictionary<int, T[]> Index<T>(IEnumerable<T> items, Func<T, TriagePattern> pattern) =>
        items.SelectMany(item => pattern(item).FirstWords.Select(word => (word, item)))
            .GroupBy(x => x.word)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.item).ToArray());

    private static void Check(bool condition, string problem, string? near)
    {
        if (!condition)
        {
            throw new TriageVocabularyException(problem, near);
        }
    }

    private sealed record CompiledRule(string Id, RiskKind Kind, TriagePattern Pattern, bool Negatable, bool Timeless);
}

/// <summary>An entry of prompts/triage.json that cannot be used; <see cref="Near"/> is text to find its line by.</summary>
public sealed class TriageVocabularyException(string message, string? near) : Exception(message)
{
    public string? Near { get; } = near;
}
