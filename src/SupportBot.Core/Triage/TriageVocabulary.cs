namespace SupportBot.Core.Triage;

/// <summary>
/// prompts/triage.json: the words the risk detector knows. prompts/README.md explains each part to admins; the
/// evaluation sets that measure it live in the tests, apart from this file, so the tests measure and do not memorise.
/// <see cref="PastAfter"/>: a short sentence that only dates the one before it ("That was 2015."), making it past too.
/// </summary>
public sealed record TriageVocabulary(
    IReadOnlyDictionary<string, string> Spellings,
    IReadOnlyDictionary<string, string> Forms,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Classes,
    IReadOnlyList<string> Negations,
    int NegationReach,
    IReadOnlyList<string> ClauseBreaks,
    IReadOnlyList<string> Past,
    IReadOnlyList<string> Now,
    IReadOnlyList<string> NotRisk,
    IReadOnlyList<TriageRule> Rules,
    IReadOnlyList<string>? PastAfter = null);

/// <summary>
/// One rule. <see cref="Negatable"/> false keeps a rule firing after "not" (its pattern carries its own negation,
/// like "not want to live"); <see cref="Timeless"/> true keeps it firing in a sentence about the past.
/// </summary>
public sealed record TriageRule(string Id, string Kind, string Pattern, bool Negatable = true, bool Timeless = false);
