using System.Text;
using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>/boundaries: what a healthy helping relationship looks like, so a person can compare.</summary>
public sealed class BoundariesCommand(ContentCatalog content) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("boundaries", "What healthy boundaries with a helper look like", [], ChangesState: false);

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var guide = content.Boundaries;
        var blocks = new List<Block> { new TextBlock(guide.Intro, guide.Title) };
        foreach (var section in guide.Sections)
        {
            var text = new StringBuilder();
            foreach (var point in section.Points)
            {
                text.Append("- ").AppendLine(point.Text)
                    .Append("  ").AppendLine(MessageTemplate.Fill(content.Messages.Source, ("Source", point.Source ?? "")));
            }

            blocks.Add(new TextBlock(text.ToString().TrimEnd(), section.Heading));
        }

        return Task.FromResult<IReadOnlyList<Reply>>([new Reply(new Audience.OnlyActor(command.Actor.Address), blocks)]);
    }
}
