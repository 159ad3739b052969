using SupportBot.Core;
using SupportBot.Core.Commands;

namespace SupportBot.Tests.Core;

public sealed class CommandLineTests
{
    private static readonly CommandSpec Note = new("note", "A note", [new CommandOption("id", "Which"), new CommandOption("text", "What")]);
    private static readonly CommandSpec RedFlags = new("redflags", "Red flags", [new CommandOption("kind", "Which helper")]);
    private static readonly CommandSpec Queue = new("queue", "Waiting", []);
    private static readonly IReadOnlyList<CommandSpec> Commands = [Note, RedFlags, Queue];

    [Fact]
    public void The_last_option_takes_the_rest_of_the_line_with_its_spaces()
    {
        Assert.Equal("note|7|she is  safe now", Parse("note 7 she is  safe now"));
    }

    [Fact]
    public void Extra_spaces_around_words_do_not_make_empty_arguments()
    {
        Assert.Equal("redflags|therapist", Parse("redflags    therapist   "));
        Assert.Equal("note|7", Parse("note   7  "));
    }

    [Fact]
    public void A_command_without_options_or_an_unknown_one_keeps_the_text_as_one_argument()
    {
        Assert.Equal("queue|please now", Parse("queue please now"));
        Assert.Equal("nosuch|a b c", Parse("nosuch a b c"));
        Assert.Equal("queue", Parse("queue"));
    }

    [Fact]
    public void Names_are_matched_without_case_and_without_a_leading_slash()
    {
        Assert.Same(Note, CommandLine.Find(Commands, "/NOTE"));
        Assert.Null(CommandLine.Find(Commands, "notes"));
    }

    [Fact]
    public void Named_options_are_put_in_the_specs_order_and_missing_ones_at_the_end_left_out()
    {
        Assert.Equal(["7", "safe"], CommandLine.FromNamed(Note, [("text", "safe"), ("id", "7")]));
        Assert.Equal(["7"], CommandLine.FromNamed(Note, [("id", "7")]));
        Assert.Equal(["", "safe"], CommandLine.FromNamed(Note, [("text", "safe")]));
        Assert.Equal(["x", "y"], CommandLine.FromNamed(null, [("a", "x"), ("b", "y")]));
    }

    /// <summary>The name and the arguments, joined by '|' so a test reads as the split it expects.</summary>
    private static string Parse(string line)
    {
        var (name, args) = CommandLine.Parse(Commands, line);
        return string.Join('|', [name, .. args]);
    }
}
