using Microsoft.Extensions.Logging;
using SupportBot.Core.Commands;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using SupportBot.Core.Triage;

namespace SupportBot.Core.Conversations;

/// <summary>
/// A survivor's direct messages before and while they wait: the first answer, the danger check, the consent
/// choice, and the queue. Nothing reaches volunteers until the survivor consents, and the survivor is told a
/// volunteer will see their words only after the store has committed them (invariant 5).
/// </summary>
public sealed partial class Intake(
    ConversationStore store,
    Relay relay,
    ContentCatalog content,
    DirectMessageGuard guard,
    PersonLimits limits,
    ILogger<Intake> logger,
    SurvivorSafeguards safeguards,
    Timing.SupportHours hours,
    TimeProvider clock,
    OutboxStore outbox)
    : IActionHandler
{
    private readonly Messages _messages = content.Messages;

    public string Prefix => "consent";

    public async Task<IReadOnlyList<Reply>> HandleAsync(DirectMessage message, CancellationToken ct)
    {
        if (await guard.RefuseAsync(message, ct) is { } refused)
        {
            return refused;
        }

        var survivor = message.Actor.Address;
        var risk = content.Triage.Assess(message.Text);
        var danger = risk.IsRisk;
        // Taken at most once per message, however often the write's answer is composed (see OutboxStore.WriteAsync).
        var page = new Lazy<bool>(() => limits.TryUrgentAlert(survivor));
        // Stored before anything is decided: the answer is composed from the status this write saw (see
        // AddFromSurvivorAsync), and stored with it, so a relay or an acknowledgement outlives a kill -9 (OutboxStore).
        var (write, replies) = await outbox.WriteAsync(
            message.Actor,
            store.AddFromSurvivor(survivor, message.Text, Pseudonyms.Next(), danger ? Priority.Urgent : Priority.Normal),
            write => Answer(survivor, write, message.Text, risk, page),
            write => write.Conversation.Id,
            ct);
        var open = write.Conversation;
        if (write.Started)
        {
            LogStarted(open.Id, open.Priority);
        }

        if (danger && open.Status != ConversationStatus.Claimed)
        {
            LogRisk(open.Id, risk.Findings[0].Kind, risk.Findings[0].RuleId);
        }

        return replies;
    }

    /// <summary>
    /// The answer to a survivor's stored message, from what its write saw: the first answer and the consent question, a
    /// relay to the volunteer holding the conversation, or an acknowledgement (with crisis lines and an urgent notice
    /// when the words read as danger). Composed inside the write's transaction: it must only compose.
    /// </summary>
    private IReadOnlyList<Reply> Answer(Address survivor, SurvivorWrite write, string text, RiskAssessment risk, Lazy<bool> page)
    {
        var open = write.Conversation;
        var danger = risk.IsRisk;
        if (write.Started)
        {
            var blocks = new List<Block> { new TextBlock(_messages.Welcome) };
            if (danger)
            {
                blocks.AddRange(CrisisText.ForRisk(content, risk));
            }

            if (OutsideHoursNote() is { } note)
            {
                blocks.Add(note);
            }

            blocks.Add(new TextBlock(_messages.ConsentQuestion));
            blocks.Add(ConsentButtons(open.Id));
            return [new Reply(new Audience.Direct(survivor), blocks)];
        }

        if (open.Status == ConversationStatus.Claimed)
        {
            return relay.FromSurvivor(open, text, risk, write.VolunteerHolds);
        }

        var replies = new List<Reply>();
        var answer = new List<Block>();
        if (danger)
        {
            answer.AddRange(CrisisText.ForRisk(content, risk));
            // The write raised the priority already (AddFromSurvivor): the conversation is as it was before it.
            if (open.Priority == Priority.Normal && open.Status == ConversationStatus.Queued)
            {
                if (page.Value)
                {
                    replies.Add(relay.Notice(open with { Priority = Priority.Urgent }));
                }
                else
                {
                    answer.Add(new TextBlock(_messages.UrgentAlreadyRaised));
                }
            }
        }

        if (open.Status == ConversationStatus.Consent)
        {
            answer.Add(new TextBlock(_messages.ConsentReminder));
            answer.Add(ConsentButtons(open.Id));
        }
        else
        {
            answer.Add(new TextBlock(_messages.QueuedAddition));
        }

        replies.Insert(0, new Reply(new Audience.Direct(survivor), answer));
        return replies;
    }

    /// <summary>consent:{choice}:{conversation}, pressed by the survivor under their first answer.</summary>
    public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (args.Count != 2 || !long.TryParse(args[1], out var id))
        {
            return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
        }

        var survivor = action.Actor.Address;
        switch (args[0])
        {
            case "pseudonym":
            case "name":
                var page = new Lazy<bool>(() => limits.TryUrgentAlert(survivor));
                var (queued, replies) = await outbox.WriteAsync(
                    action.Actor,
                    store.Enqueue(id, survivor, args[0] == "name" ? action.Actor.DisplayName : null),
                    queued => queued is null ? [] : QueuedAnswer(survivor, queued, page),
                    _ => id,
                    ct);
                if (queued is null)
                {
                    return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
                }

                LogQueued(queued.Conversation.Id);
                return replies;
            case "resources":
            case "stop":
                if (!await store.DeleteUnsharedAsync(id, survivor, ct))
                {
                    return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
                }

                return args[0] == "stop"
                    ? [Reply.Private(action.Actor, new TextBlock(_messages.Stopped))]
                    : [Reply.Private(action.Actor, new TextBlock(_messages.ResourcesOnly), CrisisText.Summary(content))];
            default:
                return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
        }
    }

    /// <summary>
    /// The survivor's place in the queue and the volunteers' notice, composed inside the enqueue's transaction and stored
    /// with it (<see cref="OutboxStore.WriteAsync"/>): a survivor is never queued with no volunteer told.
    /// </summary>
    private IReadOnlyList<Reply> QueuedAnswer(Address survivor, Queued queued, Lazy<bool> page)
    {
        var conversation = queued.Conversation;
        var id = conversation.Id;
        // Past the urgent-page limit the conversation still waits first in line; the channel just is not paged URGENT again.
        var paged = conversation.Priority != Priority.Urgent || page.Value;
        var queuedText = MessageTemplate.Fill(_messages.Queued, ("Name", conversation.KnownAs), ("Position", queued.Position));
        var answer = new List<Block> { new TextBlock(paged ? queuedText : queuedText + "\n\n" + _messages.UrgentAlreadyRaised) };
        if (OutsideHoursNote() is { } note)
        {
            answer.Add(note);
        }

        answer.Add(new ButtonsBlock([.. safeguards.Buttons(id), new Button($"end:{id}", _messages.EndButton, ButtonStyle.Danger)]));
        return [new Reply(new Audience.OnlyActor(survivor), answer), relay.Notice(paged ? conversation : conversation with { Priority = Priority.Normal })];
    }

    /// <summary>Outside Support:Hours, when someone is next likely to read: an honest wait rather than silence.</summary>
    private TextBlock? OutsideHoursNote()
    {
        var now = clock.GetUtcNow();
        if (hours.IsOpen(now) || hours.NextOpening(now) is not { } next)
        {
            return null;
        }

        return new TextBlock(MessageTemplate.Fill(_messages.OutsideHours,
            ("Hours", hours.Text), ("TimeZone", hours.Zone.Id), ("Next", Timing.SupportHours.Describe(next))));
    }

    private ButtonsBlock ConsentButtons(long id) => new(
    [
        new Button($"consent:pseudonym:{id}", _messages.ConsentPseudonym, ButtonStyle.Primary),
        new Button($"consent:name:{id}", _messages.ConsentOwnName),
        new Button($"consent:resources:{id}", _messages.ConsentResourcesOnly),
        new Button($"consent:stop:{id}", _messages.ConsentStop, ButtonStyle.Danger),
    ]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} started, priority {Priority}, awaiting consent")]
    private partial void LogStarted(long conversationId, Priority priority);

    // The rule id and kind say why, for an admin tuning prompts/triage.json; the survivor's words are never logged.
    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId}: risk rule {RuleId} ({Kind}) fired")]
    private partial void LogRisk(long conversationId, RiskKind kind, string ruleId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} queued")]
    private partial void LogQueued(long conversationId);
}
