using System.Text.RegularExpressions;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Commands;

/// <summary>
/// /transfer n volunteer: offers a conversation you hold to a named volunteer on your platform. They accept or decline
/// with buttons (or /transfer accept n, /transfer decline n, as on the console); only on acceptance does the claim
/// move and the transcript reach them, and the survivor is told someone new is joining. The offer, the acceptance and
/// the refusal each store their replies, the asker's or answerer's own included, in their own write
/// (<see cref="OutboxStore.WriteAsync"/>), so a kill -9 right after it loses none.
/// </summary>
public sealed partial class TransferCommand(
    TransferStore transfers, AffiliationStore affiliations, ConversationStore store, Relay relay, ContentCatalog content, OutboxStore outbox)
    : ISlashCommand, IActionHandler
{
    public CommandSpec Spec { get; } = new("transfer", "Hand a conversation you hold to another volunteer, who accepts or declines",
    [
        new CommandOption("number", "The conversation number", Required: true, Kind: OptionKind.Number),
        new CommandOption("volunteer", "Who should take it over", Required: true, Kind: OptionKind.Person),
    ], ForVolunteers: true);

    public string Prefix => "transfer";

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var messages = content.Messages;
        return command.Args switch
        {
            [var verb, var number] when verb.Equals("accept", StringComparison.OrdinalIgnoreCase) => AnswerAsync(command.Actor, true, number, ct),
            [var verb, var number] when verb.Equals("decline", StringComparison.OrdinalIgnoreCase) => AnswerAsync(command.Actor, false, number, ct),
            [var number, var volunteer] when ConversationNumber.TryParse(number, out var id) && PersonId(volunteer) is { } target =>
                OfferAsync(command.Actor, id, new Address(command.Actor.Platform, target), ct),
            _ => Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(command.Actor, new TextBlock(messages.TransferUsage))]),
        };
    }

    /// <summary>transfer:accept:n and transfer:decline:n, pressed by the volunteer offered the conversation.</summary>
    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct) => args switch
    {
        ["accept", var number] => AnswerAsync(action.Actor, true, number, ct),
        ["decline", var number] => AnswerAsync(action.Actor, false, number, ct),
        _ => Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(action.Actor, new TextBlock(content.Messages.UnknownAction))]),
    };

    private async Task<IReadOnlyList<Reply>> OfferAsync(Actor holder, long id, Address to, CancellationToken ct)
    {
        var messages = content.Messages;
        var (conversation, problem) = await relay.ResolveHeldAsync(holder, id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        if (conversation is null)
        {
            return [problem!];
        }

        if (to == holder.Address || to == conversation.Survivor)
        {
            return [Reply.Private(holder, new TextBlock(messages.TransferUsage))];
        }

        // Screened as a claim is, and said without naming what matched or what the other volunteer declared.
        if (await affiliations.ConflictsAsync(id, to, ct))
        {
            return [Reply.Private(holder, new TextBlock(MessageTemplate.Fill(messages.TransferConflict, ("Id", id))))];
        }

        // The offer names a number and who asks, never the person: the one offered may not be a volunteer at all.
        var (offered, replies) = await outbox.WriteAsync(
            holder,
            transfers.Offer(id, holder.Address, to),
            offered => offered
                ?
                [
                    Reply.Private(holder, new TextBlock(MessageTemplate.Fill(messages.TransferAsked, ("Id", id)))),
                    Reply.DirectTo(to,
                        new TextBlock(MessageTemplate.Fill(messages.TransferOffer, ("Id", id), ("Volunteer", holder.DisplayName))),
                        new ButtonsBlock(
                        [
                            new Button($"transfer:accept:{id}", messages.TransferAcceptButton, ButtonStyle.Primary),
                            new Button($"transfer:decline:{id}", messages.TransferDeclineButton),
                        ])),
                ]
                : [],
            _ => id,
            ct);
        return offered ? replies : [Reply.Private(holder, new TextBlock(messages.NotHolding))];
    }

    private async Task<IReadOnlyList<Reply>> AnswerAsync(Actor volunteer, bool accept, string number, CancellationToken ct)
    {
        var messages = content.Messages;
        if (!volunteer.IsVolunteer)
        {
            return [Reply.Private(volunteer, new TextBlock(messages.NotVolunteer))];
        }

        if (!ConversationNumber.TryParse(number, out var id))
        {
            return [Reply.Private(volunteer, new TextBlock(messages.TransferUsage))];
        }

        if (!accept)
        {
            var ((declined, _), replies) = await outbox.WriteAsync(
                volunteer, transfers.Decline(id, volunteer.Address), r => DeclineReplies(volunteer, id, r.Declined, r.Holder), _ => id, ct);
            return declined ? replies : [Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(messages.TransferNotForYou, ("Id", id))))];
        }

        if (await relay.AtLimitAsync(volunteer, id, ct) is { } refused)
        {
            return [refused];
        }

        var ((answer, handed), accepted) = await outbox.WriteAsync(
            volunteer,
            (db, tx) =>
            {
                var moved = transfers.Accept(id, volunteer.Address)(db, tx);
                return (Moved: moved, Handed: moved.Outcome == TransferOutcome.Moved ? store.ReadForNewHolder(db, tx, id, volunteer.Address) : null);
            },
            r => AcceptReplies(volunteer, id, r.Moved, r.Handed),
            _ => id,
            ct);
        if (handed is null)
        {
            var why = answer.Outcome == TransferOutcome.Gone ? messages.TransferGone : messages.TransferNotForYou;
            return [Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(why, ("Id", id))))];
        }

        return accepted;
    }

    /// <summary>What a refusal says, composed inside its write (it must only compose); nothing when there was no offer.</summary>
    private List<Reply> DeclineReplies(Actor volunteer, long id, bool declined, Address? holder)
    {
        var messages = content.Messages;
        if (!declined)
        {
            return [];
        }

        var replies = new List<Reply> { Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(messages.TransferDeclinedDone, ("Id", id)))) };
        if (holder is not null)
        {
            replies.Add(Reply.DirectTo(holder, new TextBlock(MessageTemplate.Fill(messages.TransferDeclined, ("Id", id), ("Volunteer", volunteer.DisplayName)))));
        }

        return replies;
    }

    /// <summary>
    /// What an acceptance says, composed inside its write (it must only compose): the new holder's answer and the
    /// transcript, the previous holder's note and the survivor's; nothing when the claim did not move.
    /// </summary>
    private List<Reply> AcceptReplies(Actor volunteer, long id, TransferAnswer answer, Handed? handed)
    {
        var messages = content.Messages;
        if (handed is not { Conversation: var conversation, Transcript: var transcript })
        {
            return [];
        }

        return
        [
            Reply.Private(volunteer, new TextBlock(MessageTemplate.Fill(messages.TransferAccepted, ("Id", id), ("Name", conversation.KnownAs)))),
            Reply.DirectTo(volunteer.Address, new TextBlock(Relay.FormatTranscript(conversation, transcript),
                MessageTemplate.Fill(messages.TranscriptHeading, ("Id", id), ("Name", conversation.KnownAs)))),
            Reply.DirectTo(answer.PreviousHolder!, new TextBlock(MessageTemplate.Fill(messages.TransferDone, ("Id", id), ("Volunteer", volunteer.DisplayName)))),
            Reply.DirectTo(conversation.Survivor, new TextBlock(messages.NewVolunteerJoining)),
        ];
    }

    /// <summary>The user id in a mention ("&lt;@U123|sam&gt;", "&lt;@!123&gt;") or a plain name or id ("sam", "@sam"); null when empty.</summary>
    internal static string? PersonId(string typed)
    {
        var text = typed.Trim();
        if (MentionPattern().Match(text) is { Success: true } mention)
        {
            return mention.Groups[1].Value;
        }

        text = text.TrimStart('@');
        return text.Length is > 0 and <= 100 && !text.Any(char.IsWhiteSpace) ? text : null;
    }

    [GeneratedRegex(@"^<@!?([A-Za-z0-9]+)(\|[^>]*)?>$")]
    private static partial Regex MentionPattern();
}
