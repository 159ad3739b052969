using SupportBot.Core.Content;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>
/// /affiliations add|remove|list [name]: a volunteer declares communities, organisations or practitioners they are
/// close to. A conversation whose survivor named one of them is neither listed for them nor claimable by them.
/// </summary>
public sealed class AffiliationsCommand(AffiliationStore store, ContentCatalog content) : ISlashCommand
{
    private static readonly IReadOnlyList<string> Actions = ["add", "remove", "list"];

    public CommandSpec Spec { get; } = new("affiliations", "Declare communities or practitioners you are close to (conflict-of-interest screening)",
        [new CommandOption("action", "add, remove or list", Choices: Actions), new CommandOption("name", "A community, organisation or practitioner")],
        ForVolunteers: true);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var messages = content.Messages;
        var action = command.Args.Count > 0 ? command.Args[0].Trim().ToLowerInvariant() : "list";
        var name = command.Args.Count > 1 ? command.Args[1].Trim() : "";
        if (!Actions.Contains(action) || (action != "list" && (AffiliationStore.Normalise(name).Length == 0 || name.Length > AffiliationStore.MaxLength)))
        {
            return [Answer(command.Actor, messages.AffiliationsUsage)];
        }

        var volunteer = command.Actor.Address;
        switch (action)
        {
            case "add":
                await store.AddAsync(volunteer, name, ct);
                return [Answer(command.Actor, MessageTemplate.Fill(messages.AffiliationAdded, ("Affiliation", name)))];
            case "remove":
                var removed = await store.RemoveAsync(volunteer, name, ct);
                return [Answer(command.Actor, MessageTemplate.Fill(removed ? messages.AffiliationRemoved : messages.AffiliationNotFound, ("Affiliation", name)))];
            default:
                var names = await store.ListAsync(volunteer, ct);
                return [Answer(command.Actor, names.Count == 0
                    ? messages.AffiliationsNone
                    : MessageTemplate.Fill(messages.AffiliationsList, ("Affiliations", string.Join("; ", names.Select(n => $"\"{n}\"")))))];
        }
    }

    private static Reply Answer(Actor actor, string text) => Reply.Private(actor, new TextBlock(text));
}
