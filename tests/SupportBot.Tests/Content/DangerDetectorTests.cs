using SupportBot.Core.Content;

namespace SupportBot.Tests.Content;

public sealed class DangerDetectorTests
{
    private static readonly DangerDetector Detector = new(PromptsContentTests.DangerPhrasesInFile());

    public static TheoryData<string> Phrases => new(PromptsContentTests.DangerPhrasesInFile());

    [Theory]
    [MemberData(nameof(Phrases))]
    public void Every_danger_phrase_is_found_inside_a_sentence(string phrase)
    {
        Assert.True(Detector.IsDanger($"Honestly, {phrase}. I don't know what to do."), phrase);
        Assert.True(Detector.IsDanger($"{phrase.ToUpperInvariant()}!!"), phrase);
    }

    [Theory]
    [InlineData("My therapist hurt me and I want to complain")]
    [InlineData("I'm on a diet")]
    [InlineData("He hurt me in our sessions last year.")]
    [InlineData("I want to file a complaint about my counsellor.")]
    [InlineData("She said touching me was part of my healing.")]
    [InlineData("I felt unsafe in his office back then, and I stopped going.")]
    [InlineData("The retreat leader told me I was special.")]
    [InlineData("I am diethyl-curious about chemistry")]
    [InlineData("What are the red flags with a coach?")]
    [InlineData("I want to know if my counsellor broke the rules.")]
    [InlineData("")]
    public void Ordinary_sentences_about_harm_by_a_helper_do_not_fire(string sentence)
    {
        Assert.False(Detector.IsDanger(sentence), sentence);
    }

    [Theory]
    [InlineData("I WANT TO DIE.")]
    [InlineData("i’m not safe")]
    [InlineData("im not safe")]
    [InlineData("I   am\tnot safe!!!")]
    [InlineData("I don’t want to live anymore")]
    [InlineData("he's outside right now")]
    public void Matching_ignores_case_punctuation_apostrophes_and_spacing(string text)
    {
        Assert.True(Detector.IsDanger(text), text);
    }

    [Fact]
    public void Matching_is_on_whole_words_only()
    {
        var detector = new DangerDetector(["die", "od"]);

        Assert.True(detector.IsDanger("I want to die"));
        Assert.False(detector.IsDanger("I'm on a diet"));
        Assert.False(detector.IsDanger("The studio was odd"));
    }

    [Fact]
    public void Empty_and_null_phrases_never_match_everything()
    {
        var detector = new DangerDetector(["", "   ", "x"]);

        Assert.False(detector.IsDanger("an ordinary sentence"));
        Assert.False(detector.IsDanger(null));
    }
}
