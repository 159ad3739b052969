using System.Globalization;
using System.Text;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>/queue: waiting conversations, urgent first, then the longest waiting. Never their words.</summary>
public sealed class QueueCommand(ConversationStore store, Relay relay, ContentCatalog content, AffiliationStore affiliations) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("queue", "Conversations waiting for a volunteer", [], ForVolunteers: true);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        // A conversation naming something this volunteer declared is not offered to them (conflict-of-interest screening).
        var excluded = await affiliations.ExcludedForAsync(command.Actor.Address, ct);
        var queue = (await store.QueueAsync(ct)).Where(c => !excluded.Contains(c.Id)).ToList();
        var messages = content.Messages;
        if (queue.Count == 0)
        {
            return [Reply.Private(command.Actor, new TextBlock(messages.QueueEmpty))];
        }

        var text = new StringBuilder();
        foreach (var c in queue)
        {
            text.AppendLine(MessageTemplate.Fill(messages.QueueLine,
                ("Id", c.Id), ("Name", c.KnownAs), ("Priority", c.Priority == Priority.Urgent ? "urgent" : "normal"), ("Wait", relay.WaitSince(c.QueuedAt))));
        }

        return
        [
            Reply.Private(command.Actor,
                new TextBlock(text.ToString().TrimEnd(), messages.QueueHeading),
                new ButtonsBlock(queue.Take(5).Select(c =>
                    new Button($"claim:{c.Id}", MessageTemplate.Fill(messages.ClaimButton, ("Id", c.Id)), ButtonStyle.Primary)).ToList())),
        ];
    }
}

/// <summary>/claim [n] and the Claim button: take a waiting conversation. Exactly one volunteer can win it.</summary>
public sealed class ClaimCommand(Relay relay, ContentCatalog content) : ISlashCommand, IActionHandler
{
    public CommandSpec Spec { get; } = new("claim", "Take a waiting conversation (the most urgent if no number)",
        [new CommandOption("number", "The conversation number", Kind: OptionKind.Number)], ForVolunteers: true);

    public string Prefix => "claim";

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var typed = command.Args.Count > 0 ? command.Args[0].Trim().TrimStart('#') : "";
        if (typed.Length == 0)
        {
            return relay.ClaimAsync(command.Actor, null, ct);
        }

        return long.TryParse(typed, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? relay.ClaimAsync(command.Actor, id, ct)
            : Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(content.Messages.NotWaiting, ("Id", typed))))]);
    }

    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (!action.Actor.IsVolunteer)
        {
            return Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(action.Actor, new TextBlock(content.Messages.NotVolunteer))]);
        }

        return args is [var number] && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? relay.ClaimAsync(action.Actor, id, ct)
            : Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(action.Actor, new TextBlock(content.Messages.UnknownAction))]);
    }
}

/// <summary>/release [n]: put a held conversation back in the queue at its place.</summary>
public sealed class ReleaseCommand(Relay relay) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("release", "Put a conversation you hold back in the queue",
        [new CommandOption("number", "The conversation number (yours if you hold one)", Kind: OptionKind.Number)], ForVolunteers: true);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var (conversation, problem) = await relay.ResolveHeldAsync(command.Actor, command.Args.Count > 0 ? command.Args[0] : null, ct);
        return conversation is null ? [problem!] : await relay.ReleaseAsync(command.Actor, conversation, ct);
    }
}

/// <summary>/close [outcome] and the outcome buttons: close a held conversation.</summary>
public sealed class CloseCommand(Relay relay, ContentCatalog content) : ISlashCommand, IActionHandler
{
    public static readonly IReadOnlyList<string> Outcomes = ["supported", "referred", "no-reply", "other"];

    public CommandSpec Spec { get; } = new("close", "Close the conversation you hold",
        [new CommandOption("outcome", "How it ended", Choices: Outcomes)], ForVolunteers: true);

    public string Prefix => "close";

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var (conversation, problem) = await relay.ResolveHeldAsync(command.Actor, null, ct);
        if (conversation is null)
        {
            return [problem!];
        }

        var outcome = command.Args.Count > 0 ? command.Args[0].Trim().ToLowerInvariant() : "";
        if (!Outcomes.Contains(outcome))
        {
            return
            [
                Reply.Private(command.Actor,
                    new TextBlock(MessageTemplate.Fill(content.Messages.ChooseOutcome, ("Id", conversation.Id))),
                    new ButtonsBlock(Outcomes.Select(o => new Button($"close:{conversation.Id}:{o}", o)).ToList())),
            ];
        }

        return await relay.CloseAsync(command.Actor, conversation, outcome, ct);
    }

    public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (args is not [var number, var outcome] || !Outcomes.Contains(outcome))
        {
            return [Reply.Private(action.Actor, new TextBlock(content.Messages.UnknownAction))];
        }

        var (conversation, problem) = await relay.ResolveHeldAsync(action.Actor, number, ct);
        return conversation is null ? [problem!] : await relay.CloseAsync(action.Actor, conversation, outcome, ct);
    }
}

/// <summary>/note text: a private note on the held conversation, for whoever holds it next. Without text, a form asks.</summary>
public sealed class NoteCommand(ConversationStore store, Relay relay, ContentCatalog content) : ISlashCommand, IFormHandler
{
    public CommandSpec Spec { get; } = new("note", "Add a note to the conversation you hold (volunteers only see it)",
        [new CommandOption("text", "The note")], ForVolunteers: true);

    public string Prefix => "note";

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var (conversation, problem) = await relay.ResolveHeldAsync(command.Actor, null, ct);
        if (conversation is null)
        {
            return [problem!];
        }

        var text = command.Args.Count > 0 ? command.Args[0].Trim() : "";
        if (text.Length == 0)
        {
            var messages = content.Messages;
            return
            [
                Reply.Private(command.Actor, new FormBlock($"note:{conversation.Id}",
                    MessageTemplate.Fill(messages.NoteFormTitle, ("Id", conversation.Id)),
                    [new FormField("text", messages.NoteFieldLabel)], "Save")),
            ];
        }

        return await SaveAsync(command.Actor, conversation.Id, text, ct);
    }

    public async Task<IReadOnlyList<Reply>> HandleAsync(FormSubmitted form, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (!form.Actor.IsVolunteer || args is not [var number] || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !form.Fields.TryGetValue("text", out var text) || string.IsNullOrWhiteSpace(text))
        {
            return [Reply.Private(form.Actor, new TextBlock(content.Messages.UnknownAction))];
        }

        return await SaveAsync(form.Actor, id, text.Trim(), ct);
    }

    private async Task<IReadOnlyList<Reply>> SaveAsync(Actor volunteer, long id, string text, CancellationToken ct)
    {
        var saved = await store.AddNoteAsync(id, volunteer.Address, text, ct);
        var answer = saved ? MessageTemplate.Fill(content.Messages.NoteSaved, ("Id", id)) : content.Messages.NotHolding;
        return [Reply.Private(volunteer, new TextBlock(answer))];
    }
}
