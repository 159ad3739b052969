using Microsoft.Extensions.Logging;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Conversations;

/// <summary>
/// Stands before intake: a blocked person's message is not stored and reaches no volunteer (they get one calm answer,
/// the first time), and a person writing faster than <see cref="SafeguardOptions.DirectMessagesPerMinute"/> is asked
/// to slow down. Words that read as danger still get the crisis lines either way: a block never costs anyone those.
/// </summary>
public sealed partial class DirectMessageGuard(BlockStore blocks, PersonLimits limits, ContentCatalog content, ILogger<DirectMessageGuard> logger)
{
    /// <summary>The answer instead of intake, or null when the message may go on.</summary>
    public async Task<IReadOnlyList<Reply>?> RefuseAsync(DirectMessage message, CancellationToken ct)
    {
        var person = message.Actor.Address;
        var blocked = await blocks.CheckAsync(person, ct);
        if (blocked != BlockCheck.NotBlocked)
        {
            LogBlocked(person.Platform);
            var answer = new List<Block>();
            if (blocked == BlockCheck.FirstMessage)
            {
                answer.Add(new TextBlock(content.Messages.BlockedNotice));
            }

            var risk = content.Triage.Assess(message.Text);
            if (risk.IsRisk)
            {
                answer.AddRange(CrisisText.ForRisk(content, risk));
            }

            return answer.Count == 0 ? [] : [new Reply(new Audience.Direct(person), answer)];
        }

        if (!limits.TryMessage(person, out var tellThem))
        {
            LogRateLimited(person.Platform);
            return tellThem ? [Reply.DirectTo(person, new TextBlock(content.Messages.SlowDown))] : [];
        }

        return null;
    }

    // Never who, never the words: the platform says where to look.
    [LoggerMessage(Level = LogLevel.Information, Message = "A direct message on {Platform} from a blocked person was not stored")]
    private partial void LogBlocked(Platform platform);

    [LoggerMessage(Level = LogLevel.Information, Message = "A direct message on {Platform} went over the per-person rate limit and was not stored")]
    private partial void LogRateLimited(Platform platform);
}
