using System.Globalization;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Safeguards;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>
/// The answer to the off-platform contact guard: the buttons under a held message (guard:send:n, guard:discard:n) and,
/// for the console or anyone who prefers typing, /confirm send|discard. Both outcomes are audited by kind, never words.
/// </summary>
public sealed class ConfirmCommand(Relay relay, HeldMessages held, AuditLog audit, ContentCatalog content) : ISlashCommand, IActionHandler
{
    private static readonly IReadOnlyList<string> Choices = ["send", "discard"];

    public CommandSpec Spec { get; } = new("confirm", "Send or drop a message the contact guard held",
        [new CommandOption("choice", "send or discard", Required: true, Choices: Choices)], ForVolunteers: true);

    public string Prefix => "guard";

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var choice = command.Args.Count > 0 ? command.Args[0].Trim().ToLowerInvariant() : "";
        return Choices.Contains(choice)
            ? DecideAsync(command.Actor, choice, null, ct)
            : Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(command.Actor, new TextBlock(content.Messages.GuardConsoleHint))]);
    }

    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (!action.Actor.IsVolunteer || args is not [var choice, var number] || !Choices.Contains(choice)
            || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(action.Actor, new TextBlock(content.Messages.UnknownAction))]);
        }

        return DecideAsync(action.Actor, choice, id, ct);
    }

    private async Task<IReadOnlyList<Reply>> DecideAsync(Actor volunteer, string choice, long? id, CancellationToken ct)
    {
        if (!held.TryTake(volunteer.Address, id, out var message))
        {
            return [Reply.Private(volunteer, new TextBlock(content.Messages.GuardNothingHeld))];
        }

        var kinds = string.Join(',', message.Kinds).ToLowerInvariant();
        if (choice == "discard")
        {
            await audit.WriteAsync(message.ConversationId, volunteer.Address, "contact-discarded:" + kinds, ct);
            return [Reply.Private(volunteer, new TextBlock(content.Messages.GuardDiscarded))];
        }

        // The message, its relay, the audit row and the answer commit together; one they no longer hold says so instead.
        var answer = Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(content.Messages.GuardSent, ("Id", message.ConversationId))));
        return await relay.SendAsVolunteerAsync(
            volunteer,
            message.ConversationId,
            message.Text,
            new Alongside(answer, After: audit.Entry(message.ConversationId, volunteer.Address, "contact-confirmed:" + kinds)),
            ct);
    }
}
