using System.Globalization;
using System.Text;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>/stats: for coordinators, how the last 7 and 30 days went. Counts and medians only.</summary>
public sealed class StatsCommand(StatsStore stats, ContentCatalog content) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("stats", "How the last 7 and 30 days went, in counts (coordinators)", [], ForVolunteers: true, ChangesState: false);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var messages = content.Messages;
        if (!command.Actor.IsCoordinator)
        {
            return [Reply.Private(command.Actor, new TextBlock(messages.NotCoordinator))];
        }

        var blocks = new List<Block>();
        foreach (var days in new[] { 7, 30 })
        {
            var s = await stats.SinceAsync(TimeSpan.FromDays(days), ct);
            var text = new StringBuilder();
            text.AppendLine(MessageTemplate.Fill(messages.StatsTotal, ("Count", s.Total)));
            foreach (var (outcome, count) in s.ByOutcome)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {outcome}: {count}");
            }

            text.AppendLine(MessageTemplate.Fill(messages.StatsWaitToClaim, ("Wait", Duration(s.MedianWaitToClaim, messages))));
            text.Append(MessageTemplate.Fill(messages.StatsFirstReply, ("Wait", Duration(s.MedianToFirstReply, messages))));
            blocks.Add(new TextBlock(text.ToString(), MessageTemplate.Fill(messages.StatsHeading, ("Days", days))));
        }

        return [Reply.Private(command.Actor, [.. blocks])];
    }

    private static string Duration(TimeSpan? span, Messages messages) => span switch
    {
        null => messages.StatsNone,
        { TotalMinutes: < 1 } => messages.WaitUnderAMinute,
        { TotalHours: < 1 } s => MessageTemplate.Fill(messages.WaitMinutes, ("Minutes", (int)s.TotalMinutes)),
        { TotalDays: < 1 } s => MessageTemplate.Fill(messages.WaitHours, ("Hours", (int)s.TotalHours), ("Minutes", s.Minutes)),
        { } s => MessageTemplate.Fill(messages.WaitDays, ("Days", (int)s.TotalDays), ("Hours", s.Hours)),
    };
}
