using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>
/// /block n [duration] [reason]: blocks the person behind conversation n without showing who they are. Their open
/// conversation closes; whoever held it or waited to is told by number only. That notice and the blocker's own answer
/// are stored in the block's own write (<see cref="OutboxStore.WriteAsync"/>), so a kill -9 right after it loses neither.
/// </summary>
public sealed partial class BlockCommand(BlockStore blocks, ContentCatalog content, IOptions<SafeguardOptions> options, TimeProvider clock, OutboxStore outbox)
    : ISlashCommand
{
    public CommandSpec Spec { get; } = new("block", "Block the person behind a conversation for a while (they are not told who did it)",
    [
        new CommandOption("number", "The conversation number", Required: true, Kind: OptionKind.Number),
        new CommandOption("duration", "How long, like 12h, 7d or 2w (default: a week)"),
        new CommandOption("reason", "Why, for the coordinators"),
    ], ForVolunteers: true);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var messages = content.Messages;
        if (command.Args.Count == 0 || !ConversationNumber.TryParse(command.Args[0], out var id))
        {
            return [Reply.Private(command.Actor, new TextBlock(messages.BlockUsage))];
        }

        var o = options.Value;
        var duration = TimeSpan.FromDays(o.DefaultBlockDays);
        var reason = command.Args.Count > 2 ? command.Args[2] : null;
        if (command.Args.Count > 1)
        {
            if (ParseDuration(command.Args[1]) is { } typed)
            {
                duration = typed;
            }
            else
            {
                // "/block 4 kept paging" has no duration: the words are the reason.
                reason = string.Join(' ', command.Args.Skip(1));
            }
        }

        if (duration > TimeSpan.FromDays(o.MaxBlockDays))
        {
            duration = TimeSpan.FromDays(o.MaxBlockDays);
        }

        var (result, replies) = await outbox.WriteAsync(
            command.Actor, blocks.Block(id, command.Actor, clock.GetUtcNow() + duration, reason), r => BlockReplies(command.Actor, id, r), _ => null, ct);
        return result.Outcome switch
        {
            BlockOutcome.NoConversation => [Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(messages.NoSuchConversation, ("Id", id))))],
            BlockOutcome.AlreadyBlocked =>
                [Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(messages.AlreadyBlocked, ("Id", id), ("Until", When(result.Until!.Value)))))],
            _ => replies,
        };
    }

    /// <summary>
    /// What a block says, composed inside its write (it must only compose): the blocker's answer, and the closed
    /// conversation's notice to its holder or the channel, by number only; nothing when nothing was blocked.
    /// </summary>
    private List<Reply> BlockReplies(Actor volunteer, long id, BlockResult result)
    {
        var messages = content.Messages;
        if (result.Outcome != BlockOutcome.Blocked)
        {
            return [];
        }

        var replies = new List<Reply>
        {
            Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(messages.Blocked, ("Id", id), ("Until", When(result.Until!.Value))))),
        };
        if (result.Closed is { } closed)
        {
            var notice = new TextBlock(MessageTemplate.Fill(messages.ClosedByBlock, ("Id", closed.Id)));
            if (closed.WasStatus == ConversationStatus.Queued)
            {
                replies.Add(Reply.ToVolunteers(notice));
            }
            else if (closed.Holder is { } holder && holder != volunteer.Address)
            {
                replies.Add(Reply.DirectTo(holder, notice));
            }
        }

        return replies;
    }

    /// <summary>"90m", "12h", "7d", "2w"; null for anything else.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
        {
            return null;
        }

        return char.ToLowerInvariant(match.Groups[2].Value[0]) switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.FromDays(7 * n),
        };
    }

    internal static string When(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    [GeneratedRegex("^([0-9]{1,5})([mhdwMHDW])$")]
    private static partial Regex DurationPattern();
}

/// <summary>/unblock n and the Lift buttons of /blocks: a volunteer lifts a block they set, a coordinator any block.</summary>
public sealed class UnblockCommand(BlockStore blocks, ContentCatalog content) : ISlashCommand, IActionHandler
{
    public CommandSpec Spec { get; } = new("unblock", "Lift a block you set on the person behind a conversation",
        [new CommandOption("number", "The conversation number", Required: true, Kind: OptionKind.Number)], ForVolunteers: true);

    public string Prefix => "unblock";

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct) =>
        LiftAsync(command.Actor, command.Args.Count > 0 ? command.Args[0] : "", ct);

    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct) =>
        action.Actor.IsVolunteer && args is [var number]
            ? LiftAsync(action.Actor, number, ct)
            : Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(action.Actor, new TextBlock(content.Messages.UnknownAction))]);

    private async Task<IReadOnlyList<Reply>> LiftAsync(Actor actor, string number, CancellationToken ct)
    {
        var messages = content.Messages;
        if (!ConversationNumber.TryParse(number, out var id))
        {
            return [Reply.Private(actor, new TextBlock(messages.UnblockUsage))];
        }

        var answer = await blocks.UnblockAsync(id, actor, ct) switch
        {
            UnblockOutcome.Lifted => messages.Unblocked,
            UnblockOutcome.NotYours => messages.UnblockNotYours,
            _ => messages.NotBlocked,
        };
        return [Reply.Private(actor, new TextBlock(MessageTemplate.Fill(answer, ("Id", id))))];
    }
}

/// <summary>/blocks: the blocks in force, for coordinators, each with a Lift button. A number, never who.</summary>
public sealed class BlocksCommand(BlockStore blocks, ContentCatalog content) : ISlashCommand
{
    public CommandSpec Spec { get; } = new("blocks", "Blocks in force, to review or lift (coordinators)", [], ForVolunteers: true, ChangesState: false);

    public async Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var messages = content.Messages;
        if (!command.Actor.IsCoordinator)
        {
            return [Reply.Private(command.Actor, new TextBlock(messages.NotCoordinator))];
        }

        var active = await blocks.ActiveAsync(ct);
        if (active.Count == 0)
        {
            return [Reply.Private(command.Actor, new TextBlock(messages.BlocksEmpty))];
        }

        var text = new StringBuilder();
        foreach (var block in active)
        {
            text.AppendLine(MessageTemplate.Fill(messages.BlocksLine,
                ("Id", block.ConversationId), ("Until", BlockCommand.When(block.Until)), ("By", block.BlockedBy), ("Reason", block.Reason ?? "—")));
        }

        return
        [
            Reply.Private(command.Actor,
                new TextBlock(text.ToString().TrimEnd(), messages.BlocksHeading),
                new ButtonsBlock(active.Take(5).Select(b =>
                    new Button($"unblock:{b.ConversationId}", MessageTemplate.Fill(messages.LiftButton, ("Id", b.ConversationId)))).ToList())),
        ];
    }
}

/// <summary>A conversation number as typed: "4" or "#4".</summary>
internal static class ConversationNumber
{
    public static bool TryParse(string text, out long id) =>
        long.TryParse(text.Trim().TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1;
}
