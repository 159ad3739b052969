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
    public async Task Reflect_starts_a_theme_with_its_introduction_and_does_not_repeat_it_with_each_question()
    {
        var theme = _core.Content.FindReflection("after-harm")!;

        var typed = (await _core.Bot.HandleAsync(Say.Command(_alice, "reflect", "after-harm"), default)).Single();
        var picked = (await _core.Bot.HandleAsync(Say.Press(_alice, "reflect:pick", "after-harm"), default)).Single();
        var another = typed.Choices().Single(c => c.ActionId.StartsWith("reflect:next:", StringComparison.Ordinal));
        var next = (await _core.Bot.HandleAsync(Say.Press(_alice, another.ActionId), default)).Single();

        // The introduction says the responsibility is the helper's and that they can stop whenever they need to.
        Assert.Contains(theme.Intro, typed.Text(), StringComparison.Ordinal);
        Assert.Contains(theme.Intro, picked.Text(), StringComparison.Ordinal);
        Assert.True(typed.Text().IndexOf(theme.Intro, StringComparison.Ordinal) < typed.Text().IndexOf(theme.Prompts.First(p => typed.Text().Contains(p, StringComparison.Ordinal)), StringComparison.Ordinal));
        Assert.DoesNotContain(theme.Intro, next.Text(), StringComparison.Ordinal);
        Assert.Contains(theme.Title, next.Text(), StringComparison.Ordinal);
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

    private async Task<Reply> ComplaintAsync(params string[] args) => (await _core.Bot.HandleAsync(Say.Command(_alice, "complaint", args), default)).Single();

    private async Task<Reply> PressAsync(string actionId, params string[] values) => (await _core.Bot.HandleAsync(Say.Press(_alice, actionId, values), default)).Single();

    private static string Section(Reply reply, string heading) =>
        reply.Blocks.OfType<TextBlock>().SingleOrDefault(b => b.Heading == heading)?.Body ?? "";

    [Fact]
    public async Task Complaint_about_a_psychologist_in_the_us_asks_for_the_state_in_lists_a_platform_accepts()
    {
        var ask = await ComplaintAsync("psychologist", "us");

        var selects = ask.Blocks.OfType<SelectBlock>().ToList();
        Assert.InRange(selects.Count, 2, 4);
        Assert.All(selects, s => Assert.StartsWith("complaint:sub:psychologist:us:", s.ActionId, StringComparison.Ordinal));
        Assert.All(selects, s => Assert.InRange(s.Options.Count, 1, 25));
        Assert.All(selects, s => Assert.True(s.ActionId.Length <= 100));
        Assert.Equal(selects.Count, selects.Select(s => s.ActionId).Distinct().Count());
        Assert.Equal(51, selects.SelectMany(s => s.Options).Select(o => o.Value).Distinct().Count());
        Assert.Contains(ask.Choices(), c => c.ActionId == "complaint:whole:psychologist:us" && c.Label == Messages.RatherNotSay);

        // Each list says which names it holds, so nobody has to open all of them to find their state.
        Assert.Equal("Alabama", selects[0].Options[0].Label);
        Assert.StartsWith("Alabama to ", selects[0].Placeholder, StringComparison.Ordinal);
        Assert.EndsWith(" to Wyoming", selects[^1].Placeholder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Choosing_california_shows_its_board_and_puts_its_criminal_law_first()
    {
        var ask = await ComplaintAsync("psychologist", "us");
        var california = ask.Choices().Single(c => c.Label == "California");

        var guide = await PressAsync(california.ActionId, california.Value!);

        var criminal = Section(guide, Messages.ComplaintCriminalHeading);
        var state = _core.Content.FindComplaint("us")!.FindSubregion("ca")!;
        Assert.StartsWith("- " + state.Criminal[0].Text, criminal, StringComparison.Ordinal);
        Assert.Contains("Business and Professions Code 729", criminal, StringComparison.Ordinal);
        Assert.Contains("California Board of Psychology", guide.Text(), StringComparison.Ordinal);
        Assert.Contains("First steps (California, United States)", guide.Text(), StringComparison.Ordinal);
        Assert.Contains(state.Notes[0].Text, guide.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task I_would_rather_not_say_gives_the_country_guidance_without_any_state()
    {
        var ask = await ComplaintAsync("psychologist", "us");
        var skip = ask.Choices().Single(c => c.Label == Messages.RatherNotSay);

        var guide = await PressAsync(skip.ActionId);

        var us = _core.Content.FindComplaint("us")!;
        Assert.Contains(us.Routes.Single(r => r.Profession == "psychologist").Body, guide.Text(), StringComparison.Ordinal);
        Assert.Contains("First steps (United States)", guide.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain(us.FindSubregion("ca")!.Criminal[0].Text, guide.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain(guide.Blocks, b => b is SelectBlock);
    }

    [Theory]
    [InlineData("california")]
    [InlineData("us-ca")]
    [InlineData("California, USA")]
    public async Task A_typed_state_answers_at_once(string region)
    {
        var guide = await ComplaintAsync("psychologist", region);

        Assert.Contains("California Board of Psychology", guide.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain(guide.Blocks, b => b is SelectBlock);
    }

    [Fact]
    public async Task A_state_without_its_own_body_says_so_and_shows_the_country_route_and_its_own_law()
    {
        var guide = await ComplaintAsync("nurse", "ohio");

        var us = _core.Content.FindComplaint("us")!;
        var where = Section(guide, MessageTemplate.Fill(Messages.ComplaintWhereHeading, ("Profession", "Nurse")));
        Assert.Contains("nothing on record about a Nurse in Ohio", where, StringComparison.Ordinal);
        Assert.Contains(us.Routes.Single(r => r.Profession == "nurse").Body, where, StringComparison.Ordinal);
        Assert.Contains("Ohio Revised Code 2907.03", Section(guide, Messages.ComplaintCriminalHeading), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_counsellor_in_the_uk_is_answered_as_before_with_no_state_question()
    {
        var guide = await ComplaintAsync("counsellor", "uk");

        var uk = _core.Content.FindComplaint("uk")!;
        Assert.Contains(uk.Routes.Single(r => r.Profession == "counsellor").Body, guide.Text(), StringComparison.Ordinal);
        Assert.Contains("First steps (United Kingdom)", guide.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain(guide.Choices(), c => c.ActionId.StartsWith("complaint:", StringComparison.Ordinal));
        Assert.DoesNotContain(guide.Choices(), c => c.Label == Messages.RatherNotSay);
    }

    [Fact]
    public async Task An_abbreviation_used_in_two_countries_asks_which_place_was_meant()
    {
        var ask = await ComplaintAsync("nurse", "wa");

        Assert.Contains("\"wa\" could mean more than one place", ask.Text(), StringComparison.Ordinal);
        var western = ask.Choices().Single(c => c.Label == "Western Australia, Australia");
        Assert.Contains(ask.Choices(), c => c.Label == "Washington, United States");

        var guide = await PressAsync(western.ActionId, western.Value!);

        Assert.Contains("First steps (Western Australia, Australia)", guide.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_typed_before_the_profession_is_kept_while_the_profession_is_asked()
    {
        var ask = await ComplaintAsync("", "ontario");
        var psychologist = ask.Choices().Single(c => c.Value == "psychologist");

        var guide = await PressAsync(psychologist.ActionId, "psychologist");

        Assert.Equal("complaint:profession:ca.on", psychologist.ActionId);
        Assert.Contains("College of Psychologists and Behaviour Analysts of Ontario", guide.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("complaint:sub:psychologist:us:1", "zz")] // no such state
    [InlineData("complaint:sub:psychologist:uk:1", "ca")] // the UK has no states
    [InlineData("complaint:sub:astrologer:us:1", "ca")] // no such profession
    [InlineData("complaint:sub:psychologist:us:1")] // no value chosen
    [InlineData("complaint:whole:psychologist:xx")] // no such country
    [InlineData("complaint:whole:psychologist:us", "ca")] // a button carries no value
    public async Task Invariant_10_forged_state_choices_get_the_polite_unknown_action_answer(string actionId, params string[] values)
    {
        var reply = await PressAsync(actionId, values);

        Assert.Equal(Messages.UnknownAction, reply.Text().Trim());
    }

    [Fact]
    public async Task Resources_for_a_country_lists_its_lines_with_sources_but_no_review_dates()
    {
        var reply = (await _core.Bot.HandleAsync(Say.Command(_alice, "resources", "nz"), default)).Single();

        // The date a line was taken is for admins; shown after every line it read as a claimed live check.
        var nz = _core.Content.FindCountry("nz")!;
        Assert.All(nz.Lines, l =>
        {
            Assert.Contains(l.Name, reply.Text(), StringComparison.Ordinal);
            Assert.Contains(l.Source, reply.Text(), StringComparison.Ordinal);
            Assert.DoesNotContain(l.LastChecked, reply.Text(), StringComparison.Ordinal);
        });
        Assert.DoesNotContain("last checked", reply.Text(), StringComparison.OrdinalIgnoreCase);
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
