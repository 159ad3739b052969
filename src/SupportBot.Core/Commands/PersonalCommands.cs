using Microsoft.Extensions.Options;
using System.Text;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>
/// /help: the commands this person can use. The list includes this command, so it is read when asked (the
/// composition root passes how), not injected.
/// </summary>
public sealed class HelpCommand(Func<IEnumerable<ISlashCommand>> commands, ContentCatalog content) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("help", "What this bot can do", [], ChangesState: false);

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var specs = commands().Select(c => c.Spec).ToList();
        var blocks = new List<Block> { new TextBlock(Describe(specs.Where(s => !s.ForVolunteers)), content.Messages.HelpHeading) };
        if (command.Actor.IsVolunteer)
        {
            blocks.Add(new TextBlock(Describe(specs.Where(s => s.ForVolunteers)), content.Messages.HelpVolunteerHeading));
        }

        return Task.FromResult<IReadOnlyList<Reply>>([new Reply(new Audience.OnlyActor(command.Actor.Address), blocks)]);
    }

    private static string Describe(IEnumerable<CommandSpec> specs)
    {
        var text = new StringBuilder();
        foreach (var spec in specs.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            text.Append("- **/").Append(spec.Name);
            foreach (var option in spec.Options)
            {
                text.Append(" [").Append(option.Name).Append(']');
            }

            text.Append("**: ").AppendLine(spec.Description);
        }

        return text.ToString().TrimEnd();
    }
}

/// <summary>/privacy: what is stored, for how long, who can see it and how to delete it.</summary>
public sealed class PrivacyCommand(ContentCatalog content, IOptions<StorageOptions> storage) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("privacy", "What this bot stores and who can see it", [], ChangesState: false);

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Reply>>(
            [Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(content.Messages.Privacy, ("Days", storage.Value.RetentionDays))))]);
}

/// <summary>
/// /forget: deletes everything stored about the person at once, and says what was deleted (invariant 7). The notice to
/// whoever held or was about to take their conversation (a number, none of their words) is stored in the forget's own
/// write (<see cref="OutboxStore.WriteAsync"/>), so a kill -9 right after it loses none. Their own answer is not stored:
/// it would keep their address in the outbox after they asked for everything to go.
/// </summary>
public sealed class ForgetCommand(ConversationStore store, Relay relay, ContentCatalog content, OutboxStore outbox) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("forget", "Delete everything this bot has stored about you, now", []);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var (result, notices) = await outbox.WriteAsync(
            command.Actor,
            store.Forget(command.Actor.Address),
            r => r.WereOpen.Select(relay.Withdrawn).OfType<Reply>().ToList(),
            _ => null, // by number only, and their conversations are gone
            ct);
        await store.EraseForgottenAsync();
        relay.ForgetUnsent(command.Actor.Address);
        var messages = content.Messages;
        var answer = result.Conversations == 0 && result.Drafts == 0
            ? messages.ForgetNothing
            : MessageTemplate.Fill(messages.ForgetDone,
                ("Conversations", result.Conversations), ("Messages", result.Messages), ("Notes", result.Notes), ("Drafts", result.Drafts));
        return [Reply.Private(command.Actor, new TextBlock(answer)), .. notices];
    }
}

/// <summary>
/// /end and the End button: the survivor ends their conversation at any time. The close stores its replies (the
/// survivor's own answer, the notice to the volunteer holding it or the channel) in its own write
/// (<see cref="OutboxStore.WriteAsync"/>), so a kill -9 right after it loses none.
/// </summary>
public sealed class EndCommand(ConversationStore store, Relay relay, ContentCatalog content, Operations.BotMetrics metrics, KeepNothingStore keepNothing, OutboxStore outbox)
    : ISlashCommand, IActionHandler
{
    public CommandSpec Spec { get; } = new("end", "End your conversation with the volunteers", []);

    public string Prefix => "end";

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct) => EndAsync(command.Actor, ct);

    // The button carries the conversation number, but only the person's own open conversation can be ended.
    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct) => EndAsync(action.Actor, ct);

    private async Task<IReadOnlyList<Reply>> EndAsync(Actor actor, CancellationToken ct)
    {
        // Words never shared with a volunteer are deleted at once rather than kept for the retention period.
        if (await store.FindOpenAsync(actor.Address, ct) is { Status: ConversationStatus.Consent } unshared
            && await store.DeleteUnsharedAsync(unshared.Id, actor.Address, ct))
        {
            return [Reply.Private(actor, new TextBlock(content.Messages.Stopped))];
        }

        var (ended, replies) = await outbox.WriteAsync(actor, store.CloseBySurvivor(actor.Address), r => EndReplies(actor, r), r => r?.Conversation.Id, ct);
        if (ended is null)
        {
            return [Reply.Private(actor, new TextBlock(content.Messages.NothingToEnd))];
        }

        metrics.Closed(ended.Conversation.Id, "survivor-ended");
        if (ended.KeptNothing)
        {
            // The close deleted the words in its own transaction; the WAL is emptied after it.
            await keepNothing.DeletedAtCloseAsync(ended.Conversation.Id, ct);
        }

        return replies;
    }

    /// <summary>What ending says, composed inside the close's write (it must only compose); nothing when nothing was open.</summary>
    private List<Reply> EndReplies(Actor actor, Closed? ended)
    {
        if (ended is null)
        {
            return [];
        }

        var note = new List<Block> { new TextBlock(content.Messages.SurvivorEnded) };
        if (ended.KeptNothing)
        {
            note.Add(new TextBlock(content.Messages.KeepNothingDeleted));
        }

        var replies = new List<Reply> { new(new Audience.OnlyActor(actor.Address), note) };
        if (relay.Withdrawn(ended.Conversation) is { } notice)
        {
            replies.Add(notice);
        }

        return replies;
    }
}
