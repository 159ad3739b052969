using System.Text;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;

namespace SupportBot.Core.Commands;

/// <summary>
/// /snippet name: sends a canned reply from prompts/snippets.json to the survivor of the held conversation, as the
/// volunteer's own words, with {Name} filled in. /snippet alone lists them. Snippets are written by the admin, so they
/// skip the contact guard.
/// </summary>
public sealed class SnippetCommand(Relay relay, ContentCatalog content) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("snippet", "Send a prepared reply to the person you're talking with (no name: list them)",
        [new CommandOption("name", "Which snippet", Choices: content.Snippets.Snippets.Select(s => s.Name).ToList())], ForVolunteers: true);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var messages = content.Messages;
        var name = command.Args.Count > 0 ? command.Args[0].Trim() : "";
        if (name.Length == 0)
        {
            var list = new StringBuilder();
            foreach (var s in content.Snippets.Snippets)
            {
                list.AppendLine(MessageTemplate.Fill(messages.SnippetLine, ("Snippet", s.Name), ("Description", s.Description)));
            }

            return [Reply.Private(command.Actor, new TextBlock(list.ToString().TrimEnd(), messages.SnippetListHeading))];
        }

        if (content.Snippets.Find(name) is not { } snippet)
        {
            var shown = name.Length <= 40 ? name : name[..40] + "…";
            return [Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(messages.SnippetUnknown, ("Snippet", shown))))];
        }

        var (conversation, problem) = await relay.ResolveHeldAsync(command.Actor, null, ct);
        if (conversation is null)
        {
            return [problem!];
        }

        // The snippet, its relay and the volunteer's answer commit together (see Relay.SendAsVolunteerAsync).
        var answer = Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(messages.SnippetSent, ("Snippet", snippet.Name), ("Id", conversation.Id))));
        return await relay.SendAsVolunteerAsync(
            command.Actor, conversation.Id, MessageTemplate.Fill(snippet.Text, ("Name", conversation.KnownAs)), new Alongside(answer), ct);
    }
}
