using System.Text;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

public sealed class ComplaintCompanionTests : IDisposable
{
    private const string WhatHappened = "He moved our sessions to his flat and started talking about his marriage";
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");

    public void Dispose() => _core.Dispose();

    private async Task<IReadOnlyList<Reply>> PressAsync(string actionId, params string[] values) =>
        await _core.Bot.HandleAsync(Say.Press(_alice, actionId, values), default);

    private async Task<IReadOnlyList<Reply>> StartAsync()
    {
        var guide = (await _core.Bot.HandleAsync(Say.Command(_alice, "complaint", "psychologist", "uk"), default)).Single();
        var start = guide.Choices().Single(c => c.ActionId == "companion:start");
        return await PressAsync(start.ActionId);
    }

    [Fact]
    public async Task Starting_from_complaint_moves_the_conversation_to_a_direct_message()
    {
        var replies = await StartAsync();

        Assert.Equal(_core.Content.Companion.Started, replies.OnlyTo(_alice).Text().Trim());
        var questions = replies.Where(r => r.Audience == new Audience.Direct(_alice.Address)).ToList();
        Assert.Contains(questions, r => r.Choices().Any(c => c.ActionId == "companion:skip:profession"));
    }

    [Fact]
    public async Task A_full_answer_set_gives_a_draft_by_dm_only_with_body_timeline_evidence_and_limits()
    {
        await StartAsync();
        await PressAsync("companion:profession", "psychologist");
        await PressAsync("companion:region", "uk");
        await _core.Bot.HandleAsync(Say.Dm(_alice, WhatHappened), default);
        await _core.Bot.HandleAsync(Say.Dm(_alice, "From May 2024 until February 2025"), default);
        await PressAsync("companion:evidence", "messages", "receipts");
        var askKeep = await PressAsync("companion:wants", "protect-others");
        Assert.Contains(askKeep.Single().Choices(), c => c.ActionId == "companion:keep:no");

        var finished = await PressAsync("companion:keep:no");

        Assert.All(finished, r => Assert.Equal(new Audience.Direct(_alice.Address), r.Audience));
        var draft = finished[0].Text();
        var route = _core.Content.FindComplaint("uk")!.Routes.Single(r => r.Profession == "psychologist");
        Assert.Contains(route.Body, draft, StringComparison.Ordinal);
        Assert.Contains(WhatHappened, draft, StringComparison.Ordinal);
        Assert.Contains("From May 2024 until February 2025", draft, StringComparison.Ordinal);
        Assert.Contains("23 November 2026", draft, StringComparison.Ordinal);
        Assert.Contains("[x] Texts, chats or emails", draft, StringComparison.Ordinal);
        Assert.Contains("[ ] People who saw or heard something", draft, StringComparison.Ordinal);
        Assert.Contains("Stop it happening to someone else", draft, StringComparison.Ordinal);
        Assert.Contains(route.TimeLimit ?? _core.Content.Companion.NoTimeLimit, draft, StringComparison.Ordinal);
        Assert.Null(await _core.Get<DraftStore>().GetAsync(_alice.Address, default));
    }

    [Fact]
    public async Task For_the_us_the_state_is_asked_after_the_country_and_the_draft_names_its_criminal_law()
    {
        await StartAsync();
        await PressAsync("companion:profession", "psychologist");
        var askState = (await PressAsync("companion:region", "us")).Single();

        Assert.Contains(askState.Choices(), c => c.ActionId == "companion:skip:subregion");
        var california = askState.Choices().Single(c => c.Label == "California");
        Assert.All(askState.Blocks.OfType<SelectBlock>(), b => Assert.InRange(b.Options.Count, 1, 25));
        var next = (await PressAsync(california.ActionId, california.Value!)).Single();
        Assert.Contains(next.Choices(), c => c.ActionId == "companion:skip:what");
        foreach (var step in new[] { "what", "when", "evidence", "wants" })
        {
            await PressAsync($"companion:skip:{step}");
        }

        var draft = (await PressAsync("companion:keep:no"))[0];

        var state = _core.Content.FindComplaint("us")!.FindSubregion("ca")!;
        var whatNext = draft.Blocks.OfType<TextBlock>().Single(b => b.Heading == _core.Content.Companion.NextHeading).Body;
        Assert.Contains("In California, this may also be a crime", whatNext, StringComparison.Ordinal);
        Assert.Contains(state.Criminal[0].Text, whatNext, StringComparison.Ordinal);
        Assert.Contains("Business and Professions Code 729", whatNext, StringComparison.Ordinal);
        Assert.Contains("The California Board of Psychology.", draft.Text(), StringComparison.Ordinal);
        Assert.Contains("a Psychologist in California, United States", draft.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_question_can_be_skipped_and_the_draft_uses_the_country_route()
    {
        await StartAsync();
        await PressAsync("companion:profession", "psychologist");
        await PressAsync("companion:region", "us");

        var next = (await PressAsync("companion:skip:subregion")).Single();

        Assert.Contains(next.Choices(), c => c.ActionId == "companion:skip:what");
        foreach (var step in new[] { "what", "when", "evidence", "wants" })
        {
            await PressAsync($"companion:skip:{step}");
        }

        var draft = (await PressAsync("companion:keep:no"))[0].Text();
        var us = _core.Content.FindComplaint("us")!;
        Assert.Contains(us.Routes.Single(r => r.Profession == "psychologist").Body, draft, StringComparison.Ordinal);
        Assert.DoesNotContain("may also be a crime", draft, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_country_without_states_goes_straight_from_where_to_what_happened()
    {
        await StartAsync();
        await PressAsync("companion:profession", "psychologist");

        var next = (await PressAsync("companion:region", "uk")).Single();

        Assert.Contains(next.Choices(), c => c.ActionId == "companion:skip:what");
        Assert.DoesNotContain(next.Choices(), c => c.ActionId.StartsWith("companion:subregion", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_state_changes_nothing()
    {
        await StartAsync();
        await PressAsync("companion:profession", "psychologist");
        await PressAsync("companion:region", "uk");

        var wrongStep = await PressAsync("companion:subregion:1", "ca");

        Assert.Equal(_core.Content.Messages.UnknownAction, wrongStep.Single().Text().Trim());
        Assert.Equal(DraftStep.What, (await _core.Get<DraftStore>().GetAsync(_alice.Address, default))!.Step);
    }

    [Fact]
    public async Task A_state_not_in_the_chosen_country_changes_nothing()
    {
        await StartAsync();
        await PressAsync("companion:profession", "psychologist");
        await PressAsync("companion:region", "au");

        var forged = await PressAsync("companion:subregion:1", "ca");

        Assert.Equal(_core.Content.Messages.UnknownAction, forged.Single().Text().Trim());
        Assert.Equal(DraftStep.Subregion, (await _core.Get<DraftStore>().GetAsync(_alice.Address, default))!.Step);
    }

    [Fact]
    public async Task A_draft_saved_before_states_existed_still_loads_and_continues()
    {
        // Stored drafts hold the step by name and answers as JSON without a subregion.
        await _core.Get<DraftStore>().SaveAsync(_alice.Address, DraftStep.When, new DraftAnswers("psychologist", "us", "kept"), kept: false, default);

        var next = await _core.Bot.HandleAsync(Say.Dm(_alice, "Spring 2025"), default);

        Assert.Contains(next.Single().Choices(), c => c.ActionId == "companion:skip:evidence");
        var draft = await _core.Get<DraftStore>().GetAsync(_alice.Address, default);
        Assert.Null(draft!.Answers.Subregion);
        Assert.Equal("Spring 2025", draft.Answers.When);
    }

    [Fact]
    public async Task Every_question_can_be_skipped()
    {
        await StartAsync();
        foreach (var step in new[] { "profession", "region", "what", "when", "evidence", "wants" })
        {
            var replies = await PressAsync($"companion:skip:{step}");
            Assert.Single(replies);
        }

        var finished = await PressAsync("companion:keep:no");

        var draft = finished[0].Text();
        Assert.Contains(_core.Content.Companion.NoBody, draft, StringComparison.Ordinal);
        Assert.Contains(_core.Content.Companion.Skipped, draft, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Written_answers_never_reach_the_volunteer_queue()
    {
        await StartAsync();
        await PressAsync("companion:skip:profession");
        await PressAsync("companion:skip:region");

        var answered = await _core.Bot.HandleAsync(Say.Dm(_alice, WhatHappened), default);

        Assert.DoesNotContain(answered, r => r.Audience is Audience.Volunteers);
        Assert.Null(await _core.Get<ConversationStore>().FindOpenAsync(_alice.Address, default));
        Assert.Contains(answered.Single().Choices(), c => c.ActionId == "companion:skip:when");
    }

    [Fact]
    public async Task A_kept_copy_is_encrypted_shown_again_on_request_and_deleted_by_forget()
    {
        await StartAsync();
        await PressAsync("companion:skip:profession");
        await PressAsync("companion:skip:region");
        await _core.Bot.HandleAsync(Say.Dm(_alice, WhatHappened), default);
        foreach (var step in new[] { "when", "evidence", "wants" })
        {
            await PressAsync($"companion:skip:{step}");
        }

        await PressAsync("companion:keep:yes");
        var bytes = Directory.GetFiles(_core.Directory, "supportbot.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("his marriage")) < 0);

        var again = await StartAsync();
        var show = again.OnlyTo(_alice).Choices().Single(c => c.ActionId == "companion:show");
        var shown = await PressAsync(show.ActionId);
        Assert.Contains(WhatHappened, shown.DmTo(_alice).Text(), StringComparison.Ordinal);

        var forgot = await _core.Bot.HandleAsync(Say.Command(_alice, "forget"), default);
        Assert.Contains("1 complaint draft", forgot.Single().Text(), StringComparison.Ordinal);
        Assert.Null(await _core.Get<DraftStore>().GetAsync(_alice.Address, default));
    }

    [Fact]
    public async Task Stopping_deletes_the_answers_at_once()
    {
        await StartAsync();
        await PressAsync("companion:skip:profession");
        await PressAsync("companion:skip:region");
        await _core.Bot.HandleAsync(Say.Dm(_alice, WhatHappened), default);

        var stopped = await PressAsync("companion:stop");

        Assert.Equal(_core.Content.Companion.Stopped, stopped.Single().Text().Trim());
        Assert.Null(await _core.Get<DraftStore>().GetAsync(_alice.Address, default));
        var next = await _core.Bot.HandleAsync(Say.Dm(_alice, "hello"), default);
        Assert.Contains(next.Single().Choices(), c => c.ActionId.StartsWith("consent:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stale_or_forged_answer_changes_nothing()
    {
        await StartAsync();

        var stale = await PressAsync("companion:skip:wants");
        var forged = await PressAsync("companion:profession", "astrologer");

        Assert.Equal(_core.Content.Messages.UnknownAction, stale.Single().Text().Trim());
        Assert.Equal(_core.Content.Messages.UnknownAction, forged.Single().Text().Trim());
        Assert.Equal(DraftStep.Profession, (await _core.Get<DraftStore>().GetAsync(_alice.Address, default))!.Step);
    }

    [Fact]
    public async Task Unfinished_drafts_are_swept_after_a_day_but_kept_copies_stay()
    {
        await StartAsync();
        var bea = Say.Member("bea");
        await _core.Get<DraftStore>().SaveAsync(bea.Address, DraftStep.Done, new DraftAnswers(What: "kept"), kept: true, default);

        _core.Clock.Advance(TimeSpan.FromDays(2));
        await _core.Get<RetentionSweep>().SweepOnceAsync(default);

        Assert.Null(await _core.Get<DraftStore>().GetAsync(_alice.Address, default));
        Assert.NotNull(await _core.Get<DraftStore>().GetAsync(bea.Address, default));
    }

    [Fact]
    public async Task Boundaries_answers_privately_with_every_section_and_its_sources()
    {
        var reply = (await _core.Bot.HandleAsync(Say.Command(_alice, "boundaries"), default)).Single();

        Assert.Equal(new Audience.OnlyActor(_alice.Address), reply.Audience);
        foreach (var section in _core.Content.Boundaries.Sections)
        {
            Assert.Contains(section.Heading, reply.Text(), StringComparison.Ordinal);
            Assert.All(section.Points, p => Assert.Contains(p.Source!, reply.Text(), StringComparison.Ordinal));
        }
    }
}
