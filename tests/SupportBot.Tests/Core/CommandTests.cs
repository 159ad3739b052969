using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

public sealed class CommandTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");

    public void Dispose() => _core.Dispose();

    private Messages Messages => _core.Content.Messages;

    [Theory]
    [InlineData("redflags")]
    [InlineData("reflect")]
    [InlineData("complaint")]
    [InlineData("resources")]
    [InlineData("help")]
    [InlineData("privacy")]
    [InlineData("forget")]
    [InlineData("end")]
    public async Task Invariant_1_every_command_answer_is_private_to_whoever_ran_it(string command)
    {
        var replies = await _core.Bot.HandleAsync(Say.Command(_alice, command), default);

        Assert.NotEmpty(replies);
        Assert.All(replies, r => Assert.Equal(new Audience.OnlyActor(_alice.Address), r.Audience));
    }

    [Fact]
    public async Task Redflags_without_a_helper_offers_every_helper_kind()
    {
        var reply = (await _core.Bot.HandleAsync(Say.Command(_alice, "redflags"), default)).Single();

        Assert.Equal(_core.Content.RedFlags.Select(r => r.Key).Order(), reply.Choices().Select(c => c.Value!).Order());
    }

    [Fact]
    public async Task Redflags_ticks_are_graded_most_serious_first_with_sources_and_never_blame()
    {
        var list = _core.Content.FindRedFlags("therapist")!;
        var violation = list.Items.First(i => i.Severity == Severity.Violation);
        var crossing = list.Items.First(i => i.Severity != Severity.Violation);
        var checklist = (await _core.Bot.HandleAsync(Say.Command(_alice, "redflags", "therapist"), default)).Single();
        var select = checklist.Blocks.OfType<SelectBlock>().Single();
        Assert.True(select.Multiple);

        var result = (await _core.Bot.HandleAsync(Say.Press(_alice, select.ActionId, crossing.Id, violation.Id), default)).Single();

        var text = result.Text();
        Assert.Equal(new Audience.OnlyActor(_alice.Address), result.Audience);
        Assert.Contains(Messages.NotYourFault, text, StringComparison.Ordinal);
        Assert.True(text.IndexOf(violation.Text, StringComparison.Ordinal) < text.IndexOf(crossing.Text, StringComparison.Ordinal));
        Assert.Contains(violation.Source, text, StringComparison.Ordinal);
        Assert.Contains(result.Choices(), c => c.ActionId == "next:complaint");
        Assert.DoesNotContain(list.Items.Except([violation, crossing]).First().Text, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redflags_with_nothing_ticked_still_takes_the_feeling_seriously()
    {
        var result = (await _core.Bot.HandleAsync(Say.Press(_alice, "redflags:check:therapist"), default)).Single();

        Assert.Contains(Messages.RedFlagsNoneTicked, result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redflags_for_an_unknown_helper_says_so_and_offers_the_list()
    {
        var reply = (await _core.Bot.HandleAsync(Say.Command(_alice, "redflags", "plumber"), default)).Single();

        Assert.Contains("plumber", reply.Text(), StringComparison.Ordinal);
        Assert.Equal(_core.Content.RedFlags.Count, reply.Choices().Count);
    }

    [Fact]
    public async Task Reflect_gives_one_prompt_and_another_walks_through_the_theme_without_repeating()
    {
        var theme = _core.Content.FindReflection("feelings")!;
        var reply = (await _core.Bot.HandleAsync(Say.Command(_alice, "reflect", "feelings"), default)).Single();
        var seen = new List<string>();
        for (var i = 0; i < theme.Prompts.Count; i++)
        {
            var prompt = theme.Prompts.Single(p => reply.Text().Contains(p, StringComparison.Ordinal));
            seen.Add(prompt);
            var another = reply.Choices().Single(c => c.ActionId.StartsWith("reflect:next:", StringComparison.Ordinal));
            reply = (await _core.Bot.HandleAsync(Say.Press(_alice, another.ActionId), default)).Single();
            Assert.True(reply.ReplacesOriginal);
        }

        Assert.Equal(theme.Prompts.Order(), seen.Order());
        Assert.Contains(reply.Choices(), c => c.ActionId == "reflect:themes");
    }

    [Fact]
    public async Task Complaint_without_arguments_asks_profession_then_region_then_gives_the_route()
    {
        var askProfession = (await _core.Bot.HandleAsync(Say.Command(_alice, "complaint"), default)).Single();
        var profession = askProfession.Choices().Single(c => c.Value == "psychologist");

        var askRegion = (await _core.Bot.HandleAsync(Say.Press(_alice, profession.ActionId, "psychologist"), default)).Single();
        var region = askRegion.Choices().Single(c => c.Value == "uk");
        var guide = (await _core.Bot.HandleAsync(Say.Press(_alice, region.ActionId, "uk"), default)).Single();

        var route = _core.Content.FindComplaint("uk")!.Routes.Single(r => r.Profession == "psychologist");
        Assert.Contains(route.Body, guide.Text(), StringComparison.Ordinal);
        Assert.Contains(route.Source, guide.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complaint_with_both_arguments_answers_at_once_with_first_steps_and_the_body()
    {
        var guide = (await _core.Bot.HandleAsync(Say.Command(_alice, "complaint", "counsellor", "ireland"), default)).Single();

        var ireland = _core.Content.FindComplaint("ie")!;
        Assert.Contains(ireland.FirstSteps[0].Text, guide.Text(), StringComparison.Ordinal);
        Assert.Contains(ireland.Routes.Single(r => r.Profession == "counsellor").Body, guide.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain(guide.Choices(), c => c.ActionId.StartsWith("complaint:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resources_for_a_country_lists_its_lines_with_sources_and_last_checked_dates()
    {
        var reply = (await _core.Bot.HandleAsync(Say.Command(_alice, "resources", "nz"), default)).Single();

        var nz = _core.Content.FindCountry("nz")!;
        Assert.All(nz.Lines, l =>
        {
            Assert.Contains(l.Name, reply.Text(), StringComparison.Ordinal);
            Assert.Contains(l.LastChecked, reply.Text(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Help_lists_volunteer_commands_only_to_volunteers()
    {
        var member = (await _core.Bot.HandleAsync(Say.Command(_alice, "help"), default)).Single().Text();
        var volunteer = (await _core.Bot.HandleAsync(Say.Command(Say.Volunteer("vol"), "help"), default)).Single().Text();

        Assert.Contains("/redflags", member, StringComparison.Ordinal);
        Assert.DoesNotContain("/claim", member, StringComparison.Ordinal);
        Assert.Contains("/claim", volunteer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privacy_states_the_configured_retention()
    {
        var reply = (await _core.Bot.HandleAsync(Say.Command(_alice, "privacy"), default)).Single();

        Assert.Contains("30 days", reply.Text(), StringComparison.Ordinal);
        Assert.Contains("/forget", reply.Text(), StringComparison.Ordinal);
    }
}
