using System.Globalization;
using Microsoft.Extensions.Logging;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>
/// Helps someone prepare a complaint privately: short questions one at a time, each skippable, asked and answered
/// in a direct message, then a draft they can edit and file, sent by direct message only. The answers are kept
/// (encrypted) only while the flow runs, unless the person asks to keep a copy.
/// </summary>
public sealed partial class ComplaintCompanion(DraftStore drafts, ContentCatalog content, TimeProvider clock, ILogger<ComplaintCompanion> logger)
    : IActionHandler
{
    private readonly CompanionText _text = content.Companion;

    public string Prefix => "companion";

    public ButtonsBlock StartButton => new([new Button("companion:start", _text.StartButton, ButtonStyle.Primary)]);

    public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        var actor = action.Actor;
        var draft = await drafts.GetAsync(actor.Address, ct);
        switch (args)
        {
            case ["start"] when draft is { Kept: true }:
                return
                [
                    Reply.Private(actor, new TextBlock(_text.SavedDraftExists), new ButtonsBlock(
                    [
                        new Button("companion:show", _text.ShowSaved, ButtonStyle.Primary),
                        new Button("companion:restart", _text.StartAgain),
                    ])),
                ];
            case ["start"] or ["restart"]:
                await drafts.SaveAsync(actor.Address, DraftStep.Profession, new DraftAnswers(), kept: false, ct);
                LogStarted();
                return
                [
                    Reply.Private(actor, new TextBlock(_text.Started)),
                    Reply.DirectTo(actor.Address, new TextBlock(_text.Intro)),
                    Ask(actor, DraftStep.Profession, new DraftAnswers()),
                ];
            case ["show"] when draft is { Kept: true }:
                return [Draft(actor, draft.Answers)];
            case ["stop"] when draft is not null:
                await drafts.DeleteAsync(actor.Address, ct);
                return [Reply.DirectTo(actor.Address, new TextBlock(_text.Stopped))];
            case ["skip", var step] when draft is not null && Enum.TryParse<DraftStep>(step, ignoreCase: true, out var skipped)
                && skipped == draft.Step && skipped is not (DraftStep.Keep or DraftStep.Done):
                return await AdvanceAsync(actor, draft.Answers, draft.Step, ct);
            case ["profession"] when draft?.Step == DraftStep.Profession && action.Values is [var key] && content.FindProfession(key) is { } profession:
                return await AdvanceAsync(actor, draft.Answers with { Profession = profession.Key }, draft.Step, ct);
            case ["region"] when draft?.Step == DraftStep.Region && action.Values is [var key] && content.FindComplaint(key) is { } guide:
                return await AdvanceAsync(actor, draft.Answers with { Region = guide.Key, Subregion = null }, draft.Step, ct);
            case ["subregion", _] when draft?.Step == DraftStep.Subregion && action.Values is [var key]
                && Country(draft.Answers)?.Parts.FirstOrDefault(p => p.Key == key) is { } part:
                return await AdvanceAsync(actor, draft.Answers with { Subregion = part.Key }, draft.Step, ct);
            case ["evidence"] when draft?.Step == DraftStep.Evidence && action.Values.All(v => _text.Evidence.Any(o => o.Key == v)):
                return await AdvanceAsync(actor, draft.Answers with { Evidence = action.Values }, draft.Step, ct);
            case ["wants"] when draft?.Step == DraftStep.Wants && action.Values.All(v => _text.Wants.Any(o => o.Key == v)):
                return await AdvanceAsync(actor, draft.Answers with { Wants = action.Values }, draft.Step, ct);
            case ["keep", var choice] when draft?.Step == DraftStep.Keep && choice is "yes" or "no":
                return await FinishAsync(actor, draft.Answers, keep: choice == "yes", ct);
            default:
                return [Reply.Private(actor, new TextBlock(content.Messages.UnknownAction))];
        }
    }

    /// <summary>
    /// A direct message answers the open text question. While a choice is waiting, typed text stays here: the person
    /// is told which choice is needed and shown it again, and the words reach no volunteer and start no intake.
    /// Null only when no companion question is open.
    /// </summary>
    public async Task<IReadOnlyList<Reply>?> TryAnswerAsync(DirectMessage message, CancellationToken ct)
    {
        var draft = await drafts.GetAsync(message.Actor.Address, ct);
        return draft?.Step switch
        {
            null or DraftStep.Done => null,
            DraftStep.What => await AdvanceAsync(message.Actor, draft.Answers with { What = message.Text.Trim() }, draft.Step, ct),
            DraftStep.When => await AdvanceAsync(message.Actor, draft.Answers with { When = message.Text.Trim() }, draft.Step, ct),
            _ =>
            [
                Reply.DirectTo(message.Actor.Address, new TextBlock(MessageTemplate.Fill(content.Messages.CompanionNeedsChoice, ("Question", Question(draft.Step))))),
                Ask(message.Actor, draft.Step, draft.Answers),
            ],
        };
    }

    private string Question(DraftStep step) => step switch
    {
        DraftStep.Profession => _text.AskProfession,
        DraftStep.Region => _text.AskRegion,
        DraftStep.Subregion => _text.AskSubregion,
        DraftStep.Evidence => _text.AskEvidence,
        DraftStep.Wants => _text.AskWants,
        _ => _text.AskKeep,
    };

    private async Task<IReadOnlyList<Reply>> AdvanceAsync(Actor actor, DraftAnswers answers, DraftStep answered, CancellationToken ct)
    {
        var next = Next(answered, answers);
        await drafts.SaveAsync(actor.Address, next, answers, kept: false, ct);
        return [Ask(actor, next, answers)];
    }

    /// <summary>
    /// The question after this one. Written out rather than taken from the enum's order, because
    /// <see cref="DraftStep.Subregion"/> was added at the end and is asked only for a country that has states.
    /// </summary>
    private DraftStep Next(DraftStep answered, DraftAnswers answers) => answered switch
    {
        DraftStep.Profession => DraftStep.Region,
        DraftStep.Region => Country(answers) is { Parts.Count: > 0 } ? DraftStep.Subregion : DraftStep.What,
        DraftStep.Subregion => DraftStep.What,
        DraftStep.What => DraftStep.When,
        DraftStep.When => DraftStep.Evidence,
        DraftStep.Evidence => DraftStep.Wants,
        DraftStep.Wants => DraftStep.Keep,
        _ => DraftStep.Done,
    };

    private ComplaintGuide? Country(DraftAnswers answers) => answers.Region is null ? null : content.FindComplaint(answers.Region);

    private static Subregion? Part(ComplaintGuide? guide, DraftAnswers answers) =>
        answers.Subregion is null ? null : guide?.Parts.FirstOrDefault(p => p.Key == answers.Subregion);

    private async Task<IReadOnlyList<Reply>> FinishAsync(Actor actor, DraftAnswers answers, bool keep, CancellationToken ct)
    {
        if (keep)
        {
            await drafts.SaveAsync(actor.Address, DraftStep.Done, answers, kept: true, ct);
        }
        else
        {
            await drafts.DeleteAsync(actor.Address, ct);
        }

        LogFinished(keep);
        return [Draft(actor, answers), Reply.DirectTo(actor.Address, new TextBlock(keep ? _text.Kept : _text.Deleted))];
    }

    private Reply Ask(Actor actor, DraftStep step, DraftAnswers answers)
    {
        var skip = new Button($"companion:skip:{step.ToString().ToLowerInvariant()}", _text.Skip);
        var stop = new Button("companion:stop", _text.Stop, ButtonStyle.Danger);
        Block[] blocks = step switch
        {
            DraftStep.Profession =>
            [
                new TextBlock(_text.AskProfession),
                new SelectBlock("companion:profession", _text.AskProfession, content.Professions.Select(p => new SelectOption(p.Key, p.Label)).ToList()),
                new ButtonsBlock([skip, stop]),
            ],
            DraftStep.Region =>
            [
                new TextBlock(_text.AskRegion),
                new SelectBlock("companion:region", _text.AskRegion, content.Complaints.Select(c => new SelectOption(c.Key, c.Title)).ToList()),
                new ButtonsBlock([skip, stop]),
            ],
            DraftStep.Subregion when Country(answers) is { Parts.Count: > 0 } guide =>
            [
                new TextBlock(_text.AskSubregion),
                .. SubregionPicker.Selects(guide, "companion:subregion", content.Messages.SubregionRange, _text.AskSubregion),
                new ButtonsBlock([skip, stop]),
            ],
            // Only if the country lost its states since this draft was saved: the skip button moves on.
            DraftStep.Subregion => [new TextBlock(_text.AskSubregion), new ButtonsBlock([skip, stop])],
            DraftStep.What => [new TextBlock(_text.AskWhat), new ButtonsBlock([skip, stop])],
            DraftStep.When => [new TextBlock(_text.AskWhen), new ButtonsBlock([skip, stop])],
            DraftStep.Evidence =>
            [
                new TextBlock(_text.AskEvidence),
                new SelectBlock("companion:evidence", _text.AskEvidence, _text.Evidence.Select(o => new SelectOption(o.Key, o.Label)).ToList(), Multiple: true, DoneLabel: _text.Next),
                new ButtonsBlock([skip, stop]),
            ],
            DraftStep.Wants =>
            [
                new TextBlock(_text.AskWants),
                new SelectBlock("companion:wants", _text.AskWants, _text.Wants.Select(o => new SelectOption(o.Key, o.Label)).ToList(), Multiple: true, DoneLabel: _text.Next),
                new ButtonsBlock([skip, stop]),
            ],
            _ =>
            [
                new TextBlock(_text.AskKeep),
                new ButtonsBlock([new Button("companion:keep:yes", _text.Keep), new Button("companion:keep:no", _text.DontKeep, ButtonStyle.Primary)]),
            ],
        };
        return new Reply(new Audience.Direct(actor.Address), blocks);
    }

    /// <summary>The draft, written so the person can copy it, edit it and send it: by direct message only.</summary>
    private Reply Draft(Actor actor, DraftAnswers answers)
    {
        var today = clock.GetUtcNow().ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        var profession = answers.Profession is null ? null : content.FindProfession(answers.Profession);
        var guide = Country(answers);
        var part = Part(guide, answers);
        var route = profession is null ? null : guide?.RouteFor(profession.Key, part);
        var blocks = new List<Block> { new TextBlock(MessageTemplate.Fill(_text.DraftHeading, ("Date", today))) };

        // The time limit has a section of its own in the draft.
        var to = route is null || profession is null || guide is null
            ? _text.NoBody
            : RouteText.Describe(route, guide, part, profession, content.Messages, withTimeLimit: false);
        var region = guide is null ? _text.Skipped : new RegionChoice(guide, part).Title;
        blocks.Add(new TextBlock(to, MessageTemplate.Fill(_text.ToHeading,
            ("Profession", profession?.Label ?? _text.Skipped), ("Region", region))));
        blocks.Add(new TextBlock(answers.What ?? _text.Skipped, _text.WhatHeading));
        blocks.Add(new TextBlock(
            MessageTemplate.Fill(_text.TimelineWhen, ("When", answers.When ?? _text.Skipped)) + "\n" + MessageTemplate.Fill(_text.TimelineToday, ("Date", today)),
            _text.TimelineHeading));
        blocks.Add(new TextBlock(
            string.Join("\n", _text.Evidence.Select(o => MessageTemplate.Fill(
                answers.Evidence?.Contains(o.Key) == true ? _text.EvidenceHave : _text.EvidenceMissing, ("Item", o.Label)))),
            _text.EvidenceHeading));
        var wants = _text.Wants.Where(o => answers.Wants?.Contains(o.Key) == true).Select(o => "- " + o.Label).ToList();
        blocks.Add(new TextBlock(wants.Count > 0 ? string.Join("\n", wants) : _text.Skipped, _text.WantsHeading));
        blocks.Add(new TextBlock(route?.TimeLimit ?? _text.NoTimeLimit, _text.TimeLimitHeading));
        var next = guide?.AfterFiling.Where(a => profession is null ? a.For is null : a.AppliesTo(profession.Key)).Select(a => "- " + a.Text).ToList() ?? [];
        if (part is { Criminal.Count: > 0 })
        {
            // The state's criminal law is a route of its own, so the draft names it with its source.
            next.Add(MessageTemplate.Fill(_text.CriminalNext, ("Subregion", part.Name)));
            next.AddRange(part.Criminal.Select(c => "- " + c.Text + " " + MessageTemplate.Fill(content.Messages.Source, ("Source", c.Source!))));
        }

        if (next.Count > 0)
        {
            blocks.Add(new TextBlock(string.Join("\n", next), _text.NextHeading));
        }

        blocks.Add(new TextBlock(_text.SupportText));
        return new Reply(new Audience.Direct(actor.Address), blocks);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Complaint companion started")]
    private partial void LogStarted();

    [LoggerMessage(Level = LogLevel.Information, Message = "Complaint companion finished; copy kept: {Kept}")]
    private partial void LogFinished(bool kept);
}
