using SupportBot.Core.Triage;
using SupportBot.Tests.Content;

namespace SupportBot.Tests.Triage;

/// <summary>
/// The rules of the real prompts/triage.json, without the model, on classes of ordinary phrasing that share words with
/// risk and used to fire, each beside a risk message in the same words that must still fire. Written here, in our own
/// words; none is a line of an evaluation or training set.
/// </summary>
public sealed class TriageRuleClassesTests
{
    private static readonly RiskDetector Rules = PromptsFolder.LoadReal().Triage.WithoutModel();

    [Theory]
    [InlineData("my statement says he threatened to hurt me")]
    [InlineData("is it a crime for a coach to threaten to post photos of a player")]
    [InlineData("my dad is at the door with the shopping")]
    [InlineData("no one is outside, it turned out to be a fox")]
    [InlineData("the film had a man banging on the door, it shook me a bit")]
    [InlineData("i want to die my hair green")]
    [InlineData("there's no reason to stay in this job")]
    [InlineData("what does ctb mean")]
    [InlineData("should i mention my old self harm to the investigator")]
    [InlineData("my past overdose came up at the hearing")]
    [InlineData("i went through a suicidal phase at university")]
    [InlineData("he's hitting the gym again")]
    [InlineData("i'm locked in to a phone contract for two years")]
    public void An_ordinary_class_of_phrasing_does_not_fire(string text)
    {
        Assert.False(Rules.Assess(text).IsRisk, text);
    }

    [Theory]
    [InlineData("he threatened to hurt me if i tell")]
    [InlineData("my dad is at the door and he's drunk and shouting")]
    [InlineData("he's outside my window right now")]
    [InlineData("i want to die")]
    [InlineData("i'm 16 now and i want to kill myself")]
    [InlineData("what do i do if i took 30 pills")]
    [InlineData("his email said he will kill me")]
    [InlineData("he choked me when he was drunk")]
    [InlineData("i'm thinking about overdosing tonight")]
    public void The_risk_twin_in_the_same_words_still_fires(string text)
    {
        Assert.True(Rules.Assess(text).IsRisk, text);
    }
}
