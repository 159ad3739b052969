using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core.Commands;
using SupportBot.Core.Content;
using SupportBot.Core.Operations;
using SupportBot.Core.Storage;
using SupportBot.Core.Triage;

namespace SupportBot.Core.Conversations;

/// <summary>
/// The volunteer side of a conversation: notices, claims, the transcript, and messages relayed both ways.
/// The volunteer channel only ever sees a number, a name to call the person by, a priority and a wait
/// (invariant 2); the words travel by direct message to the one volunteer who holds the conversation.
/// </summary>
public sealed partial class Relay(
    ConversationStore store,
    ContentCatalog content,
    TimeProvider clock,
    BotMetrics metrics,
    IOptions<SafeguardOptions> safeguards,
    ILogger<Relay> logger,
    Safeguards.ContactScreen contactScreen,
    Safeguards.HeldMessages heldMessages,
    AuditLog audit,
    AffiliationStore affiliations,
    KeepNothingStore keepNothing,
    OutboxStore outbox)
    : IActionHandler
{
    private readonly Messages _messages = content.Messages;

    // A message a volunteer wrote while holding several conversations without choosing one; sent once they choose.
    private readonly ConcurrentDictionary<Address, string> _unsent = new();

    public string Prefix => "focus";

    /// <summary>The volunteer-channel notice for a waiting conversation, with its Claim button.</summary>
    public Reply Notice(Conversation conversation)
    {
        var template = conversation.Priority == Priority.Urgent ? _messages.VolunteerNoticeUrgent : _messages.VolunteerNotice;
        return Reply.ToVolunteers(
            new TextBlock(MessageTemplate.Fill(template, ("Id", conversation.Id), ("Name", conversation.KnownAs), ("Wait", WaitSince(conversation.QueuedAt)))),
            new ButtonsBlock([new Button($"claim:{conversation.Id}", MessageTemplate.Fill(_messages.ClaimButton, ("Id", conversation.Id)), ButtonStyle.Primary)]));
    }

    public string WaitSince(DateTimeOffset? since)
    {
        var wait = since is null ? TimeSpan.Zero : clock.GetUtcNow() - since.Value;
        return wait.TotalMinutes < 1 ? _messages.WaitUnderAMinute
            : wait.TotalHours < 1 ? MessageTemplate.Fill(_messages.WaitMinutes, ("Minutes", (int)wait.TotalMinutes))
            : wait.TotalDays < 1 ? MessageTemplate.Fill(_messages.WaitHours, ("Hours", (int)wait.TotalHours), ("Minutes", wait.Minutes))
            : MessageTemplate.Fill(_messages.WaitDays, ("Days", (int)wait.TotalDays), ("Hours", wait.Hours));
    }

    public async Task<bool> IsRelayingAsync(Actor volunteer, CancellationToken ct) =>
        (await store.HeldByAsync(volunteer.Address, ct)).Count > 0;

    /// <summary>
    /// The answer to a volunteer who writes while holding no conversation: how many wait and how to take one.
    /// Null when they have a conversation of their own as a survivor, which their message continues.
    /// </summary>
    public async Task<IReadOnlyList<Reply>?> HoldingNothingAsync(Actor volunteer, CancellationToken ct)
    {
        if (await store.FindOpenAsync(volunteer.Address, ct) is not null)
        {
            return null;
        }

        var waiting = (await store.QueueAsync(ct)).Count;
        return [Reply.DirectTo(volunteer.Address, new TextBlock(MessageTemplate.Fill(_messages.VolunteerHoldingNothing, ("Waiting", waiting))))];
    }

    /// <summary>
    /// Relays a survivor's message to the volunteer holding the conversation, composed inside the write that stores it
    /// (see Intake), so it must only compose: <paramref name="volunteerHolds"/> is what that write counted. When it reads
    /// as risk (the write raised the priority already), the volunteer is alerted (the alert carries no words beyond the
    /// relayed message), and the survivor gets the lines that fit.
    /// </summary>
    public IReadOnlyList<Reply> FromSurvivor(Conversation conversation, string text, RiskAssessment risk, int volunteerHolds)
    {
        var volunteer = conversation.ClaimedBy!;
        var blocks = new List<Block>
        {
            new TextBlock(MessageTemplate.Fill(_messages.RelayFromSurvivor, ("Id", conversation.Id), ("Name", conversation.KnownAs), ("Text", text))),
        };
        if (volunteerHolds > 1)
        {
            blocks.Add(new ButtonsBlock([new Button($"focus:{conversation.Id}", MessageTemplate.Fill(_messages.ReplyHereButton, ("Id", conversation.Id)))]));
        }

        if (risk.IsRisk)
        {
            blocks.Insert(0, new TextBlock(MessageTemplate.Fill(_messages.VolunteerRiskAlert, ("Id", conversation.Id), ("Name", conversation.KnownAs))));
        }

        var replies = new List<Reply> { new(new Audience.Direct(volunteer), blocks) };
        if (risk.IsRisk)
        {
            replies.Add(new Reply(new Audience.Direct(conversation.Survivor), CrisisText.ForRisk(content, risk)));
        }

        return replies;
    }

    public async Task<IReadOnlyList<Reply>> FromVolunteerAsync(DirectMessage message, CancellationToken ct)
    {
        var volunteer = message.Actor.Address;
        var target = await FocusAsync(volunteer, ct);
        if (target is null)
        {
            _unsent[volunteer] = message.Text;
            var held = await store.HeldByAsync(volunteer, ct);
            return
            [
                Reply.DirectTo(volunteer,
                    new TextBlock(_messages.ChooseConversation),
                    new ButtonsBlock(held.Select(c => new Button($"focus:{c.Id}", $"#{c.Id} {c.KnownAs}")).ToList())),
            ];
        }

        return await SendCheckedAsync(message.Actor, target.Value, message.Text, ct);
    }

    /// <summary>
    /// focus:{conversation}: the volunteer chose where their messages go. The message they wrote before choosing goes
    /// with the choice, in its write: the focus, the message, its relay and the volunteer's answer commit together, so a
    /// kill -9 right after that commit loses none of them. One the contact guard holds is only for the volunteer to see.
    /// </summary>
    public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        var volunteer = action.Actor;
        if (args.Count != 1 || !long.TryParse(args[0], CultureInfo.InvariantCulture, out var id))
        {
            return [Reply.Private(volunteer, new TextBlock(_messages.NotHolding))];
        }

        var focused = Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(_messages.FocusSet, ("Id", id))));
        if (_unsent.TryGetValue(volunteer.Address, out var unsent) && contactScreen.Find(unsent).Count == 0)
        {
            var sent = await SendAsVolunteerAsync(volunteer, id, unsent, new Alongside(focused, Before: store.Focus(volunteer.Address, id)), ct);
            if (sent.Any(r => r.Audience is Audience.Direct direct && direct.User != volunteer.Address))
            {
                _unsent.TryRemove(new KeyValuePair<Address, string>(volunteer.Address, unsent));
            }

            return sent;
        }

        if (!await store.SetFocusAsync(volunteer.Address, id, ct))
        {
            return [Reply.Private(volunteer, new TextBlock(_messages.NotHolding))];
        }

        var replies = new List<Reply> { focused };
        if (_unsent.TryRemove(volunteer.Address, out var text))
        {
            replies.AddRange(await SendCheckedAsync(volunteer, id, text, ct));
        }

        return replies;
    }

    /// <summary>Claims a conversation (the oldest urgent one, then the oldest, when no number is given).</summary>
    public async Task<IReadOnlyList<Reply>> ClaimAsync(Actor volunteer, long? id, CancellationToken ct)
    {
        if (id is null)
        {
            var excluded = await affiliations.ExcludedForAsync(volunteer.Address, ct);
            var queue = (await store.QueueAsync(ct)).Where(c => !excluded.Contains(c.Id)).ToList();
            if (queue.Count == 0)
            {
                return [Reply.Private(volunteer, new TextBlock(_messages.QueueEmpty))];
            }

            id = queue[0].Id;
        }
        else if (await affiliations.ConflictsAsync(id.Value, volunteer.Address, ct))
        {
            // Said without naming what matched: the volunteer learns only that they declared something this touches.
            LogConflictRefused(id.Value);
            return [Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(_messages.ConflictRefused, ("Id", id))))];
        }

        if (await AtLimitAsync(volunteer, id.Value, ct) is { } refused)
        {
            return [refused];
        }

        var (result, replies) = await outbox.WriteAsync(volunteer, store.Claim(id.Value, volunteer.Address), r => ClaimReplies(volunteer, r), _ => id, ct);
        if (result is not { Outcome: ClaimOutcome.Claimed, Conversation: { } claimed })
        {
            var message = result.Outcome switch
            {
                ClaimOutcome.AlreadyYours => _messages.AlreadyYours,
                ClaimOutcome.Taken => _messages.AlreadyTaken,
                ClaimOutcome.Unreadable => _messages.ConversationUnreadable,
                _ => _messages.NotWaiting,
            };
            return [Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(message, ("Id", id))))];
        }

        LogClaimed(claimed.Id);
        metrics.Claimed(claimed, clock.GetUtcNow());
        return replies;
    }

    /// <summary>
    /// What a claim says, composed inside the claim's write and stored with it (<see cref="OutboxStore.WriteAsync"/>), so
    /// it must only compose: the volunteer's answer and the transcript, "a volunteer joined" to the survivor, and the
    /// channel's notice. Nothing for a claim that changed nothing; its answer is not stored.
    /// </summary>
    private List<Reply> ClaimReplies(Actor volunteer, ClaimResult result)
    {
        if (result is not { Outcome: ClaimOutcome.Claimed, Conversation: { } claimed })
        {
            return [];
        }

        return
        [
            Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(_messages.Claimed, ("Id", claimed.Id), ("Name", claimed.KnownAs)))),
            Reply.DirectTo(volunteer.Address, new TextBlock(FormatTranscript(claimed, result.Transcript),
                MessageTemplate.Fill(_messages.TranscriptHeading, ("Id", claimed.Id), ("Name", claimed.KnownAs)))),
            Reply.DirectTo(claimed.Survivor, new TextBlock(_messages.VolunteerJoined)),
            Reply.ToVolunteers(new TextBlock(MessageTemplate.Fill(_messages.ClaimedNotice, ("Id", claimed.Id), ("Volunteer", volunteer.DisplayName)))),
        ];
    }

    /// <summary>Puts a held conversation back in the queue; its replies are stored with the release, as a claim's are.</summary>
    public async Task<IReadOnlyList<Reply>> ReleaseAsync(Actor volunteer, Conversation conversation, CancellationToken ct)
    {
        var (released, replies) = await outbox.WriteAsync(
            volunteer,
            store.Release(conversation.Id, volunteer.Address),
            released => released is null
                ? []
                :
                [
                    Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(_messages.Released, ("Id", released.Id)))),
                    Reply.DirectTo(released.Survivor, new TextBlock(_messages.VolunteerReleased)),
                    Notice(released),
                ],
            _ => conversation.Id,
            ct);
        if (released is null)
        {
            return [Reply.Private(volunteer, new TextBlock(_messages.NotHolding))];
        }

        LogReleased(released.Id);
        return replies;
    }

    /// <summary>
    /// Closes a held conversation; its replies are stored with the close, as a claim's are. In keep-nothing mode the close
    /// deleted the words in its own transaction, the survivor's note says so, and the WAL is emptied after it.
    /// </summary>
    public async Task<IReadOnlyList<Reply>> CloseAsync(Actor volunteer, Conversation conversation, string outcome, CancellationToken ct)
    {
        var (result, replies) = await outbox.WriteAsync(
            volunteer, store.CloseByVolunteer(conversation.Id, volunteer.Address, outcome), r => CloseReplies(volunteer, outcome, r), _ => conversation.Id, ct);
        if (result is not { Conversation: var closed })
        {
            return [Reply.Private(volunteer, new TextBlock(_messages.NotHolding))];
        }

        LogClosed(closed.Id, outcome);
        metrics.Closed(closed.Id, outcome);
        if (result.KeptNothing)
        {
            await keepNothing.DeletedAtCloseAsync(closed.Id, ct);
        }

        return replies;
    }

    /// <summary>What a close says, composed inside the close's write (it must only compose); nothing when it closed nothing.</summary>
    private List<Reply> CloseReplies(Actor volunteer, string outcome, Closed? result)
    {
        if (result is not { Conversation: var closed })
        {
            return [];
        }

        var note = new List<Block> { new TextBlock(_messages.ConversationClosed) };
        if (result.KeptNothing)
        {
            note.Add(new TextBlock(_messages.KeepNothingDeleted));
        }

        var replies = new List<Reply>
        {
            Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(_messages.Closed, ("Id", closed.Id), ("Outcome", outcome)))),
            new(new Audience.Direct(closed.Survivor), note),
            Reply.ToVolunteers(new TextBlock(MessageTemplate.Fill(_messages.ClosedNotice, ("Id", closed.Id)))),
        };
        if (closed.Priority == Priority.Urgent)
        {
            // A hard conversation leaves a mark on the helper too: a private word, and whom to talk to.
            var contact = safeguards.Value.CoordinatorContact;
            var debrief = MessageTemplate.Fill(_messages.Debrief, ("Id", closed.Id));
            replies.Add(Reply.DirectTo(volunteer.Address, new TextBlock(contact.Length == 0
                ? debrief
                : debrief + "\n\n" + MessageTemplate.Fill(_messages.DebriefContact, ("Contact", contact)))));
        }

        return replies;
    }

    /// <summary>
    /// The refusal when taking conversation <paramref name="id"/> would put the volunteer over
    /// <see cref="SafeguardOptions.MaxConversationsPerVolunteer"/>; null when they may take it (or hold it already).
    /// </summary>
    public async Task<Reply?> AtLimitAsync(Actor volunteer, long id, CancellationToken ct)
    {
        var max = safeguards.Value.MaxConversationsPerVolunteer;
        if (max <= 0)
        {
            return null;
        }

        var held = await store.HeldByAsync(volunteer.Address, ct);
        return held.Count < max || held.Any(c => c.Id == id)
            ? null
            : Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(_messages.AtMaxConversations, ("Max", max))));
    }

    /// <summary>The survivor ended their conversation: tell whoever was about to serve them.</summary>
    public Reply? Withdrawn(Conversation wasOpen) => wasOpen.Status switch
    {
        ConversationStatus.Claimed => Reply.DirectTo(wasOpen.ClaimedBy!, new TextBlock(MessageTemplate.Fill(_messages.SurvivorLeft, ("Id", wasOpen.Id)))),
        ConversationStatus.Queued => Reply.ToVolunteers(new TextBlock(MessageTemplate.Fill(_messages.Withdrawn, ("Id", wasOpen.Id)))),
        _ => null,
    };

    public void ForgetUnsent(Address volunteer) => _unsent.TryRemove(volunteer, out _);

    /// <summary>
    /// The conversation a volunteer command is about: the number given, else the one their messages go to,
    /// else the only one they hold. Null with a reason when that cannot be decided.
    /// </summary>
    public async Task<(Conversation? Conversation, Reply? Problem)> ResolveHeldAsync(Actor volunteer, string? number, CancellationToken ct)
    {
        var held = await store.HeldByAsync(volunteer.Address, ct);
        long? id = null;
        if (!string.IsNullOrWhiteSpace(number))
        {
            if (!long.TryParse(number.Trim().TrimStart('#'), CultureInfo.InvariantCulture, out var parsed))
            {
                return (null, Reply.Private(volunteer, new TextBlock(_messages.NotHolding)));
            }

            id = parsed;
        }

        id ??= await FocusAsync(volunteer.Address, ct);
        var conversation = held.FirstOrDefault(c => c.Id == id);
        if (conversation is not null)
        {
            return (conversation, null);
        }

        if (held.Count > 1 && id is null)
        {
            return (null, Reply.Private(volunteer, new TextBlock(_messages.ChooseConversation),
                new ButtonsBlock(held.Select(c => new Button($"focus:{c.Id}", $"#{c.Id} {c.KnownAs}")).ToList())));
        }

        return (null, Reply.Private(volunteer, new TextBlock(_messages.NotHolding)));
    }

    private async Task<long?> FocusAsync(Address volunteer, CancellationToken ct)
    {
        var focus = await store.GetFocusAsync(volunteer, ct);
        if (focus is not null)
        {
            return focus;
        }

        var held = await store.HeldByAsync(volunteer, ct);
        return held.Count == 1 ? held[0].Id : null;
    }

    /// <summary>
    /// A volunteer's own words on their way to a survivor: held by the contact guard, with the reason, when they seem to
    /// take contact off the platform. The hold is audited by kind, never by its words.
    /// </summary>
    private async Task<IReadOnlyList<Reply>> SendCheckedAsync(Actor volunteer, long id, string text, CancellationToken ct)
    {
        var kinds = contactScreen.Find(text);
        if (kinds.Count == 0)
        {
            return await SendAsVolunteerAsync(volunteer, id, text, ct);
        }

        if (!(await store.HeldByAsync(volunteer.Address, ct)).Any(c => c.Id == id))
        {
            return [Reply.DirectTo(volunteer.Address, new TextBlock(_messages.NotHolding))];
        }

        heldMessages.Hold(volunteer.Address, new Safeguards.HeldMessage(id, text, kinds));
        var what = string.Join(", ", kinds.Select(ReasonText));
        var kindList = string.Join(',', kinds).ToLowerInvariant();
        await audit.WriteAsync(id, volunteer.Address, "contact-held:" + kindList, ct);
        LogContactHeld(id, kindList);
        return
        [
            Reply.DirectTo(volunteer.Address,
                new TextBlock(MessageTemplate.Fill(_messages.GuardHeld, ("Id", id), ("Reason", what))),
                new ButtonsBlock(
                [
                    new Button($"guard:send:{id}", _messages.GuardSendButton),
                    new Button($"guard:discard:{id}", _messages.GuardDiscardButton, ButtonStyle.Primary),
                ]),
                new TextBlock(_messages.GuardConsoleHint)),
        ];
    }

    public string ReasonText(Safeguards.ContactKind kind) => kind switch
    {
        Safeguards.ContactKind.Phone => _messages.GuardReasonPhone,
        Safeguards.ContactKind.Email => _messages.GuardReasonEmail,
        Safeguards.ContactKind.Handle => _messages.GuardReasonHandle,
        Safeguards.ContactKind.Place => _messages.GuardReasonPlace,
        _ => _messages.GuardReasonPayment,
    };

    /// <summary>Sends a volunteer's direct message to the survivor, unscreened, as <see cref="SendAsVolunteerAsync(Actor, long, string, Alongside, CancellationToken)"/>.</summary>
    public Task<IReadOnlyList<Reply>> SendAsVolunteerAsync(Actor volunteer, long id, string text, CancellationToken ct) =>
        SendAsVolunteerAsync(volunteer, id, text, Alongside.Nothing, ct);

    /// <summary>
    /// Sends text to the survivor as the volunteer's words, unscreened: a direct message, a snippet, a message they
    /// confirmed or one written before they chose a conversation. The relay is stored with the message, in its write
    /// (<see cref="OutboxStore.WriteAsync"/>), and so is what the event does and says beside it (<paramref name="with"/>:
    /// a focus, an audit row, the volunteer's own answer): one commit, so a kill -9 right after it loses none of them.
    /// </summary>
    public async Task<IReadOnlyList<Reply>> SendAsVolunteerAsync(Actor volunteer, long id, string text, Alongside with, CancellationToken ct)
    {
        var conversation = await store.GetAsync(id, ct);
        if (conversation is null)
        {
            return [Reply.DirectTo(volunteer.Address, new TextBlock(_messages.NotHolding))];
        }

        var relayed = Reply.DirectTo(conversation.Survivor, new TextBlock(MessageTemplate.Fill(_messages.RelayFromVolunteer, ("Text", text))));
        var add = store.AddMessage(id, Sender.Volunteer, text, volunteer.Address);
        var (added, replies) = await outbox.WriteAsync(
            volunteer,
            (db, tx) =>
            {
                if ((with.Before is { } before && !before(db, tx)) || !add(db, tx))
                {
                    return false;
                }

                with.After?.Invoke(db, tx);
                return true;
            },
            added => !added ? [] : with.Answer is { } answer ? [relayed, answer] : [relayed],
            _ => id,
            ct);
        if (!added)
        {
            return [Reply.DirectTo(volunteer.Address, new TextBlock(_messages.NotHolding))];
        }

        metrics.VolunteerReplied(id, clock.GetUtcNow());
        return replies;
    }

    internal static string FormatTranscript(Conversation conversation, IReadOnlyList<TranscriptEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            var who = entry.Kind switch
            {
                nameof(Sender.Survivor) => conversation.KnownAs,
                nameof(Sender.Volunteer) => "Volunteer",
                _ => "Note",
            };
            text.Append(CultureInfo.InvariantCulture, $"[{entry.At:HH:mm} UTC] **{who}:** ").AppendLine(entry.Text);
        }

        return text.ToString().TrimEnd();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} claimed")]
    private partial void LogClaimed(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId}: a volunteer message was held by the contact guard ({Kinds})")]
    private partial void LogContactHeld(long conversationId, string kinds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId}: claim refused, the volunteer declared an affiliation it names")]
    private partial void LogConflictRefused(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} released")]
    private partial void LogReleased(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} closed: {Outcome}")]
    private partial void LogClosed(long conversationId, string outcome);
}

/// <summary>
/// What the write of <see cref="Relay.SendAsVolunteerAsync(Actor, long, string, Alongside, CancellationToken)"/> does and
/// says beside the message: <see cref="Before"/> runs first and the message goes only when it returns true (a focus
/// chosen), <see cref="After"/> runs once the message is stored (an audit row), and <see cref="Answer"/> is the
/// volunteer's own answer, stored with the relay.
/// </summary>
public sealed record Alongside(Reply? Answer, Func<DbConnection, DbTransaction, bool>? Before = null, Func<DbConnection, DbTransaction, int>? After = null)
{
    /// <summary>A plain relay: nothing beside the message.</summary>
    public static Alongside Nothing { get; } = new((Reply?)null);
}
