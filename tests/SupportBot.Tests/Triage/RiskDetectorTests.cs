using SupportBot.Core.Triage;
using SupportBot.Tests.Content;

namespace SupportBot.Tests.Triage;

/// <summary>How the detector reads a message, on a small vocabulary written here so each behaviour is visible.</summary>
public sealed class RiskDetectorTests
{
    private static readonly RiskDetector Small = RiskDetector.Create(new TriageVocabulary(
        Spellings: new Dictionary<string, string> { ["kms"] = "kill myself", ["im"] = "i am", ["dont"] = "do not", ["od'd"] = "overdosed" },
        Forms: new Dictionary<string, string> { ["took"] = "take" },
        Classes: new Dictionary<string, IReadOnlyList<string>> { ["pills"] = ["pill", "paracetamol"], ["amount"] = ["all", "whole", "#"] },
        Negations: ["not", "never"],
        NegationReach: 3,
        ClauseBreaks: ["but"],
        Past: ["used to", "years ago", "back in", "do not anymore"],
        Now: ["again", "back", "anymore"],
        NotRisk: ["kill myself laughing", "take my life back"],
        Rules:
        [
            new TriageRule("kill-myself", "suicide", "kill myself"),
            new TriageRule("take-my-life", "suicide", "take my life"),
            new TriageRule("took-pills", "means", "take ...3 @amount ...3 @pills"),
            new TriageRule("overdose", "means", "overdose"),
            new TriageRule("cut-myself", "self-harm", "cut myself"),
            new TriageRule("outside", "danger", "he is outside"),
            new TriageRule("not-safe", "unsafe", "i am not safe", Negatable: false),
        ]));

    [Theory]
    [InlineData("I want to KILL MYSELF!!!")]
    [InlineData("i wanna kms")]
    [InlineData("i want to killl myselfff")]
    [InlineData("I’m going to kill myself")]
    [InlineData("i am thinking about killing myself")]
    public void Case_spelling_repeated_letters_apostrophes_and_word_forms_are_folded(string text)
    {
        Assert.Equal([new RiskFinding(RiskKind.Suicide, "kill-myself")], Small.Assess(text).Findings);
    }

    [Theory]
    [InlineData("I took a whole bottle of paracetamol")]
    [InlineData("took 30 pills")]
    [InlineData("i took like all of my pills")]
    public void A_pattern_with_gaps_finds_words_apart(string text)
    {
        Assert.Equal("took-pills", Small.Assess(text).Findings.Single().RuleId);
    }

    [Theory]
    [InlineData("I took my pills this morning")]
    [InlineData("I took all the time I needed. Then a pill for my headache.")]
    [InlineData("I took all of it, but pills are not the point")]
    public void A_gap_is_limited_and_never_crosses_a_sentence_or_clause(string text)
    {
        Assert.False(Small.Assess(text).IsRisk, text);
    }

    [Fact]
    public void A_spelling_can_keep_its_apostrophe()
    {
        Assert.Equal("overdose", Small.Assess("i od'd last night").Findings.Single().RuleId);
        Assert.False(Small.Assess("that was odd").IsRisk);
    }

    [Theory]
    [InlineData("I'm not going to kill myself", MatchOutcome.Negated)]
    [InlineData("I would never kill myself", MatchOutcome.Negated)]
    [InlineData("I used to cut myself", MatchOutcome.Past)]
    [InlineData("Years ago I wanted to kill myself.", MatchOutcome.Past)]
    public void Negation_and_the_past_keep_a_rule_from_firing_and_say_why(string text, MatchOutcome outcome)
    {
        var match = Small.Explain(text).Single();

        Assert.Equal(outcome, match.Outcome);
        Assert.False(Small.Assess(text).IsRisk);
    }

    [Theory]
    [InlineData("I used to cut myself and I did it again last night")]
    [InlineData("I used to be fine. I want to kill myself")]
    [InlineData("I'm not sure about anything but I want to kill myself")]
    [InlineData("I never told anyone, I want to kill myself")]
    public void Now_words_another_sentence_or_another_clause_keep_risk_firing(string text)
    {
        Assert.True(Small.Assess(text).IsRisk, text);
    }

    [Theory]
    [InlineData("Back in 2015 I tried to take my life")]
    [InlineData("I used to cut myself, I dont anymore")]
    public void Words_a_past_marker_uses_do_not_bring_the_sentence_to_now(string text)
    {
        Assert.Equal(MatchOutcome.Past, Small.Explain(text).Single().Outcome);
        Assert.False(Small.Assess(text).IsRisk, text);
    }

    [Fact]
    public void The_same_now_word_outside_a_past_marker_still_brings_it_to_now()
    {
        Assert.True(Small.Assess("I used to cut myself and now the urge to cut myself is back").IsRisk);
    }

    [Fact]
    public void A_rule_that_carries_its_own_not_is_not_negated()
    {
        Assert.Equal(RiskKind.Unsafe, Small.Assess("I'm not safe").Findings.Single().Kind);
    }

    [Theory]
    [InlineData("I'm killing myself laughing")]
    [InlineData("I want to take my life back")]
    public void Idioms_that_are_not_risk_do_not_fire(string text)
    {
        Assert.False(Small.Assess(text).IsRisk, text);
    }

    [Fact]
    public void Each_kind_that_fires_is_reported_once_in_kind_order()
    {
        var found = Small.Assess("He is outside and I want to kill myself. I want to kill myself.").Findings;

        Assert.Equal([new RiskFinding(RiskKind.Suicide, "kill-myself"), new RiskFinding(RiskKind.Danger, "outside")], found);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("🙂🙂🙂 ... !!! ,,,")]
    public void Empty_or_odd_text_is_not_risk(string? text)
    {
        Assert.False(Small.Assess(text).IsRisk);
    }

    [Fact]
    public void Huge_text_is_read_without_failing()
    {
        var text = string.Concat(Enumerable.Repeat("an ordinary sentence, ", 5000)) + "he is outside";

        Assert.Equal(RiskKind.Danger, Small.Assess(text).Findings.Single().Kind);
    }

    [Theory]
    [InlineData("... pills", "must begin with a word")]
    [InlineData("pills ...", "must not end with")]
    [InlineData("take @drugs", "'@drugs' is not defined")]
    [InlineData("take ...12 pills", "'...12' should be")]
    [InlineData("pill|kms", "stands for several words")]
    public void A_broken_pattern_is_rejected_with_a_reason(string pattern, string reason)
    {
        var vocabulary = new TriageVocabulary(
            new Dictionary<string, string> { ["kms"] = "kill myself" }, new Dictionary<string, string>(), new Dictionary<string, IReadOnlyList<string>>(),
            ["not"], 3, [], [], [], [], [new TriageRule("broken", "means", pattern)]);

        var error = Assert.Throws<TriageVocabularyException>(() => RiskDetector.Create(vocabulary));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal($"\"{pattern}\"", error.Near);
    }

    [Theory]
    [InlineData("I wish I was dead", RiskKind.Suicide)]
    [InlineData("I've been saving up my pills", RiskKind.Means)]
    [InlineData("ive been self harming again", RiskKind.SelfHarm)]
    [InlineData("he's banging on my door right now", RiskKind.Danger)]
    [InlineData("my coach says he'll kill me if I tell", RiskKind.Threat)]
    [InlineData("I can't keep myself safe tonight", RiskKind.Unsafe)]
    public void The_real_vocabulary_reports_the_kind_that_fits(string text, RiskKind kind)
    {
        var detector = PromptsFolder.LoadReal().Triage;

        Assert.Contains(detector.Assess(text).Findings, f => f.Kind == kind);
    }
}
