using SupportBot.Tests.Support;
namespace SupportBot.Tests.Content;

/// <summary>The checks the content tests rely on must themselves catch what they are for.</summary>
public sealed class PlainLanguageTests
{
    [Theory]
    [InlineData("You should have told someone sooner.", "you should have")]
    [InlineData("Why didn't you leave?", "why didn't you")]
    [InlineData("Why didn’t you leave?", "why didn't you")]
    [InlineData("You let it go on for months.", "you let")]
    [InlineData("It was partly your fault.", "your fault")]
    [InlineData("It is not your fault, but it is also your fault.", "your fault")]
    [InlineData("Maybe you led him on.", "you led him on")]
    public void Blame_check_catches_blaming_sentences(string sentence, string phrase)
    {
        Assert.Equal(phrase, PlainLanguage.Blame(sentence));
    }

    [Theory]
    [InlineData("It is not your fault.")]
    [InlineData("This was never your fault.")]
    [InlineData("It wasn’t your fault, whatever they said.")]
    [InlineData("Keeping the boundary was always their job.")]
    [InlineData("You could write down what happened, if you want to.")]
    [InlineData("Let yourself rest.")]
    public void Blame_check_accepts_sentences_that_do_not_blame(string sentence)
    {
        Assert.Null(PlainLanguage.Blame(sentence));
    }

    [Fact]
    public void Sentences_split_on_full_stops_question_marks_and_exclamation_marks()
    {
        Assert.Equal(["One two.", "Three?", "Four five six!"], PlainLanguage.Sentences("One two. Three? Four five six!"));
        Assert.Equal(3, PlainLanguage.Words("Four  five six!"));
    }

    [Fact]
    public void Prose_leaves_out_sources_numbers_and_keys()
    {
        using var folder = new TempFolder();
        var file = folder.File("x.json");
        File.WriteAllText(file, """
            // comment
            { "key": "k", "title": "Read me.", "source": "APA 10.05", "lines": [ { "text": "741741", "description": "Text us." } ], }
            """);

        Assert.Equal(["Read me.", "Text us."], PlainLanguage.ProseIn(file));
    }
}
