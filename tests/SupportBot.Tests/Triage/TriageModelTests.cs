using SupportBot.Core.Content;
using SupportBot.Core.Triage;
using SupportBot.Tests.Content;
using SupportBot.Tests.Support;
using SupportBot.TriageTrainer;

namespace SupportBot.Tests.Triage;

/// <summary>The trained model in prompts/triage-model.json: it loads, it is what the tool makes, and it says why.</summary>
public sealed class TriageModelTests
{
    private static readonly RiskDetector Detector = PromptsFolder.LoadReal().Triage;

    /// <summary>The sets that still measure: the held-out set and every blind set with a floor (one list to extend).</summary>
    private static readonly string[] MeasuringSets = ["heldout", .. TriageEvaluationTests.BlindFloors.Select(row => (string)row[0])];

    [Fact]
    public void The_real_prompts_load_a_model_beside_the_rules()
    {
        Assert.True(Detector.ModelFeatureCount > 1000, $"{Detector.ModelFeatureCount} features");
        Assert.True(Detector.RuleCount > 100);
    }

    /// <summary>
    /// A model file damaged by hand or cut short stops the bot with the file, the line and what is wrong, never a
    /// detector that silently reads messages with half its weights.
    /// </summary>
    [Theory]
    [InlineData("\"u:alone\": [0.1, \"x\", 0, 0, 0, 0, 0]", "line 7", "numbers only")]
    [InlineData("\"u:alone\": 0.1", "line 7", "an array of numbers")]
    [InlineData("\"u:alone\": [0.1, 0.2]", "u:alone", "one weight per class")]
    [InlineData("\"u:alone\": [0, 0, 0, 0, 0, 0, 0],\n    \"u:alone\": [0, 0, 0, 0, 0, 0, 0]", "u:alone", "listed twice")]
    public void A_damaged_model_file_is_refused_with_its_line_or_feature(string weights, string where, string what)
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("triage-model.json");
        File.WriteAllText(file, $$"""
            {
              "classes": ["none", "suicide", "means", "self-harm", "danger", "threat", "unsafe"],
              "threshold": 0.7,
              "bias": [0, 0, 0, 0, 0, 0, 0],
              "top": {},
              "weights": {
                {{weights}}
              }
            }
            """);

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Admins can retrain and a reviewer can check: the committed weights are exactly what the training tool makes of
    /// the committed training files. If this fails after a change to triage.json or a training file, retrain
    /// (dotnet run --project tools/SupportBot.TriageTrainer) and commit the new model.
    /// </summary>
    [Fact]
    public void The_training_tool_makes_exactly_the_committed_model_from_the_training_files()
    {
        var result = Trainer.Train(Detector.WithoutModel(), TrainingFiles.Load(TestPaths.RepoRoot));

        var committed = File.ReadAllText(Path.Combine(TestPaths.Prompts, "triage-model.json"));
        Assert.True(result.Json == committed, "prompts/triage-model.json is not what the training tool makes: retrain.\n" + result.Summary);
    }

    /// <summary>
    /// The sets that still measure (held-out, blind3, blind4, blind12 and on, and the conversation sets) share no message
    /// with the training files, blind7 to blind11 among them since branch triage14, so the model cannot have learnt their
    /// answers. Only the count is printed, never a line.
    /// </summary>
    [Fact]
    public void The_training_set_shares_no_message_with_the_held_out_or_blind_sets()
    {
        var conversations = ConversationEvaluationTests.ConversationFloors.Select(row => (string)row[0])
            .SelectMany(ConversationSet.Load).SelectMany(c => c.Messages);
        var measured = MeasuringSets.SelectMany(EvaluationSet.Load).Select(c => c.Text).Concat(conversations)
            .Select(text => text.ToLowerInvariant()).ToHashSet();
        var training = TrainingFiles.Load(TestPaths.RepoRoot);

        Assert.True(training.Count > 3000, $"{training.Count} training messages");
        Assert.Equal(0, training.Count(e => measured.Contains(e.Text.ToLowerInvariant())));
    }

    [Theory]
    [InlineData("i keep thinking everyone would be better off if i just wasn't around")]
    [InlineData("i just want to fall asleep and not have to wake up ever")]
    public void A_message_the_rules_miss_fires_as_model_and_names_its_strongest_features(string text)
    {
        Assert.False(Detector.WithoutModel().Assess(text).IsRisk, "the rules already catch it; pick a message they miss");

        var finding = Assert.Single(Detector.Assess(text).Findings);

        Assert.Equal(RiskDetector.ModelId, finding.RuleId);
        Assert.NotNull(finding.Features);
        Assert.InRange(finding.Features.Count, 1, 5);
        // Each reason is one of the message's own features, as named in the model file.
        Assert.All(finding.Features, f => Assert.Contains(f, Detector.Features(text)));
    }

    [Fact]
    public void A_rule_finding_names_its_rule_and_no_model_features()
    {
        var finding = Detector.Assess("I want to kill myself").Findings[0];

        Assert.NotEqual(RiskDetector.ModelId, finding.RuleId);
        Assert.Null(finding.Features);
    }

    [Theory]
    [InlineData("I'm not suicidal, I just want to know how to file a complaint")]
    [InlineData("I used to self-harm as a teenager but I've been okay for years")]
    [InlineData("my team is killing it this season")]
    [InlineData("how long does the board take to answer a complaint?")]
    public void Negations_the_past_and_idioms_stay_ordinary_with_the_model(string text)
    {
        Assert.False(Detector.Assess(text).IsRisk, text);
    }

    /// <summary>
    /// Idioms of blame and cheer said with the body (branch triage9): "beating myself up", "kicking myself", "alive and
    /// kicking", a goodbye party are marked as idioms for the rules and the model, and stay quiet; the same verbs done to
    /// the body still fire. Written fresh, none of them a line of a set.
    /// </summary>
    [Theory]
    [InlineData("still beating myself up about not saying something sooner", false)]
    [InlineData("kicking myself for not keeping the receipts", false)]
    [InlineData("alive and kicking, thanks for asking", false)]
    [InlineData("we had a goodbye party for my manager today", false)]
    [InlineData("i beat myself with a belt last night until i bled", true)]
    [InlineData("i keep kicking myself in the legs until they bruise", true)]
    public void Idioms_of_blame_and_cheer_stay_quiet_while_the_acts_fire(string text, bool risk)
    {
        Assert.Equal(risk, Detector.Assess(text).IsRisk);
    }

    /// <summary>Rules added with the third training batch: a threat made on condition of silence is read in either order,
    /// and "if I don't" does not negate it.</summary>
    [Theory]
    [InlineData("my coach said if i tell anyone he will post the photos of me", "expose-if-i-tell")]
    [InlineData("she says she'd email my boss everything if i don't drop the complaint", "will-expose-if-i-tell")]
    [InlineData("he's been blackmailing me since the retreat", "blackmailing-me")]
    public void Threats_on_condition_of_silence_fire_as_threats_by_rule(string text, string rule)
    {
        var finding = Assert.Single(Detector.WithoutModel().Assess(text).Findings);

        Assert.Equal(RiskKind.Threat, finding.Kind);
        Assert.Equal(rule, finding.RuleId);
    }

    /// <summary>A story, a dream or the news is not the writer's risk now; nor is a helper's own threat to himself.</summary>
    [Theory]
    [InlineData("in the series the main character overdoses and i had to turn it off")]
    [InlineData("i had a nightmare that he was outside my house")]
    [InlineData("the article said the pastor threatened to expose members")]
    [InlineData("he said he would kill himself if i reported him")]
    public void Fiction_dreams_news_and_a_helpers_threat_to_himself_fire_no_rule(string text)
    {
        Assert.False(Detector.WithoutModel().Assess(text).IsRisk, text);
    }

    /// <summary>
    /// The rule gate (branch triage7): a rule's hit that the model finds unlikely, in the message and in the sentence the
    /// rule matched in, raises nothing, and Explain tells an admin which rule the model doubted.
    /// </summary>
    [Theory]
    [InlineData("my nephew keeps banging on the door for biscuits lol", "banging-on-door")]
    [InlineData("he threatened to tell my boss i was late again. typical brother", "threatened-to-hurt")]
    public void A_rule_hit_the_model_doubts_raises_nothing_and_is_explained_as_doubted(string text, string rule)
    {
        Assert.True(Detector.WithoutModel().Assess(text).IsRisk, "the rule should match: pick a message it matches");

        Assert.False(Detector.Assess(text).IsRisk, text);
        Assert.Contains(Detector.Explain(text), m => m.RuleId == rule && m.Outcome == MatchOutcome.Doubted);
    }

    /// <summary>
    /// The risk twins in the same words pass the gate and name their rule, and a long message whose risk is one sentence
    /// among questions about the form is read by that sentence, not drowned by the rest.
    /// </summary>
    [Theory]
    [InlineData("he's banging on the door and screaming that he'll kill me", RiskKind.Danger)]
    [InlineData("he threatened to hurt me if i tell anyone", RiskKind.Threat)]
    [InlineData("hi, quick one about the complaint form: which box do i tick for the date, do you need the clinic's address, and can my sister send it for me since my printer is broken. i have the pills counted out on the table and i'm taking them all tonight.", RiskKind.Means)]
    public void A_rule_hit_the_model_agrees_with_fires_by_its_rule(string text, RiskKind kind)
    {
        var finding = Assert.Single(Detector.Assess(text).Findings, f => f.Kind == kind);

        Assert.NotEqual(RiskDetector.ModelId, finding.RuleId);
        Assert.DoesNotContain(Detector.Explain(text), m => m.Outcome == MatchOutcome.Doubted);
    }

    /// <summary>
    /// Branch triage8: a long message is also read by its sentences and the clauses of its long sentences, so risk said in
    /// one clause of a run-on DM about the complaint is not drowned by the rest (each feature weighs 1/√n of the whole);
    /// the same message without that clause stays ordinary, and the reasons given are the clause's own features.
    /// </summary>
    [Fact]
    public void A_long_message_whose_risk_is_one_clause_fires_as_model_and_its_ordinary_twin_does_not()
    {
        const string Questions = "hi, i have a few questions about the complaint to the board, do they need the dates of every session " +
            "or just roughly, can my sister post the form for me since my printer is broken, and how long do they usually take " +
            "to reply because the last letter i got from them was in june";
        var text = Questions + ", and honestly i keep thinking everyone would be better off if i just wasn't around. thanks for reading all this";

        Assert.False(Detector.WithoutModel().Assess(text).IsRisk, "the rules already catch it; pick a clause they miss");
        var finding = Assert.Single(Detector.Assess(text).Findings);

        Assert.Equal(RiskDetector.ModelId, finding.RuleId);
        Assert.All(finding.Features!, f => Assert.Contains(f, Detector.Features(text)));
        Assert.False(Detector.Assess(Questions + ". thanks for reading all this").IsRisk);
    }

    [Fact]
    public void A_rule_gate_at_or_above_the_threshold_is_refused()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("triage-model.json");
        File.WriteAllText(file, """
            {
              "classes": ["none", "suicide", "means", "self-harm", "danger", "threat", "unsafe"],
              "threshold": 0.7,
              "ruleGate": 0.8,
              "bias": [0, 0, 0, 0, 0, 0, 0],
              "top": {},
              "weights": {}
            }
            """);

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains("rule gate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_mark_negated_past_and_idiom_words_and_spell_out_chat_abbreviations()
    {
        Assert.Contains("u:!suicidal", Detector.Features("i'm not suicidal"));
        Assert.Contains("u:^cut", Detector.Features("I used to cut as a teenager"));
        Assert.Contains("u:~kill", Detector.Features("you're killing it"));
        Assert.Contains("b:kill myself", Detector.Features("i wanna kms"));
        Assert.Contains("u:suicidal", Detector.Features("sooo suicidal"));
    }
}
