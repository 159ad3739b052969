using System.Data;
using System.Data.Common;
using Dapper;

namespace SupportBot.Core.Storage;

/// <summary>
/// A held conversation offered to a named volunteer. The holder keeps it until the offer is accepted; acceptance moves
/// the claim in one conditional UPDATE (the holder must still hold it), with the audit rows of both volunteers, so a
/// conversation is never held by two and never by nobody in between.
/// </summary>
public sealed class TransferStore(Database database, PersonIds ids, TimeProvider clock)
{
    /// <summary>Offers conversation <paramref name="id"/>, held by <paramref name="holder"/>, to <paramref name="to"/>; false when they do not hold it.</summary>
    public Task<bool> OfferAsync(long id, Address holder, Address to, CancellationToken ct) =>
        database.WriteAsync(Offer(id, holder, to), ct);

    /// <summary>The work of <see cref="OfferAsync"/>, for a write that composes its replies in the same transaction.</summary>
    internal Func<DbConnection, DbTransaction, bool> Offer(long id, Address holder, Address to)
    {
        var args = new { id, from = ids.Key(holder), to = ids.Key(to) };
        return (db, tx) =>
        {
            var holds = db.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @from", args, tx);
            if (holds != 1)
            {
                return false;
            }

            var now = Now();
            db.Execute(
                """
                INSERT INTO Transfers (ConversationId, FromVolunteer, ToVolunteer, CreatedAt) VALUES (@id, @from, @to, @now)
                ON CONFLICT (ConversationId) DO UPDATE SET FromVolunteer = excluded.FromVolunteer, ToVolunteer = excluded.ToVolunteer, CreatedAt = excluded.CreatedAt
                """,
                new { args.id, args.from, args.to, now }, tx);
            Audit(db, tx, id, args.from, "transfer-offer", now);
            return true;
        };
    }

    /// <summary>
    /// Moves the claim to <paramref name="volunteer"/> if the offer is theirs and its holder still holds the conversation.
    /// Returns the previous holder's address, or null (the offer is then dropped if it went stale).
    /// </summary>
    public Task<TransferAnswer> AcceptAsync(long id, Address volunteer, CancellationToken ct) =>
        database.WriteAsync(Accept(id, volunteer), ct);

    /// <summary>The work of <see cref="AcceptAsync"/>, for a write that composes its replies in the same transaction.</summary>
    internal Func<DbConnection, DbTransaction, TransferAnswer> Accept(long id, Address volunteer)
    {
        var to = ids.Key(volunteer);
        var sealedAddress = ids.Seal(volunteer);
        return (db, tx) =>
        {
            var offer = db.QuerySingleOrDefault<TransferOfferRow>(
                """
                SELECT t.FromVolunteer, c.ClaimedBySealed FROM Transfers t JOIN Conversations c ON c.Id = t.ConversationId
                WHERE t.ConversationId = @id AND t.ToVolunteer = @to AND c.Status = 'Claimed' AND c.ClaimedBy = t.FromVolunteer
                """,
                new { id, to }, tx);
            if (offer.FromVolunteer is null || offer.ClaimedBySealed is null)
            {
                var stale = db.Execute("DELETE FROM Transfers WHERE ConversationId = @id AND ToVolunteer = @to", new { id, to }, tx);
                return new TransferAnswer(stale > 0 ? TransferOutcome.Gone : TransferOutcome.NotYours, null);
            }

            var now = Now();
            var changed = db.Execute(
                "UPDATE Conversations SET ClaimedBy = @to, ClaimedBySealed = @sealedAddress WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @from",
                new { id, to, from = offer.FromVolunteer, sealedAddress }, tx);
            if (changed != 1)
            {
                return new TransferAnswer(TransferOutcome.Gone, null);
            }

            var previous = ids.Open(offer.ClaimedBySealed, offer.FromVolunteer);
            db.Execute("DELETE FROM Transfers WHERE ConversationId = @id", new { id }, tx);
            db.Execute("DELETE FROM VolunteerFocus WHERE Volunteer = @from AND ConversationId = @id", new { id, from = offer.FromVolunteer }, tx);
            db.Execute(
                "INSERT INTO VolunteerFocus (Volunteer, ConversationId) VALUES (@to, @id) ON CONFLICT (Volunteer) DO UPDATE SET ConversationId = excluded.ConversationId",
                new { id, to }, tx);
            Audit(db, tx, id, offer.FromVolunteer, "transfer-out", now);
            Audit(db, tx, id, to, "transfer-in", now);
            return new TransferAnswer(TransferOutcome.Moved, previous);
        };
    }

    /// <summary>Drops an offer made to <paramref name="volunteer"/>: whether there was one, and the holder to tell if they still hold it.</summary>
    public Task<(bool Declined, Address? Holder)> DeclineAsync(long id, Address volunteer, CancellationToken ct) =>
        database.WriteAsync(Decline(id, volunteer), ct);

    /// <summary>The work of <see cref="DeclineAsync"/>, for a write that composes its replies in the same transaction.</summary>
    internal Func<DbConnection, DbTransaction, (bool Declined, Address? Holder)> Decline(long id, Address volunteer)
    {
        var to = ids.Key(volunteer);
        return (db, tx) =>
        {
            var holder = db.QuerySingleOrDefault<TransferHolderRow>(
                """
                SELECT c.ClaimedBy, c.ClaimedBySealed FROM Transfers t JOIN Conversations c ON c.Id = t.ConversationId
                WHERE t.ConversationId = @id AND t.ToVolunteer = @to AND c.ClaimedBy = t.FromVolunteer
                """,
                new { id, to }, tx);
            var deleted = db.Execute("DELETE FROM Transfers WHERE ConversationId = @id AND ToVolunteer = @to", new { id, to }, tx);
            if (deleted == 0)
            {
                return (false, null);
            }

            Audit(db, tx, id, to, "transfer-decline", Now());
            return (true, holder.ClaimedBy is not null && holder.ClaimedBySealed is not null ? ids.Open(holder.ClaimedBySealed, holder.ClaimedBy) : null);
        };
    }

    private static void Audit(IDbConnection db, IDbTransaction tx, long id, string volunteerKey, string action, long now) =>
        db.Execute(
            "INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @volunteerKey, @action, @now)",
            new { id, volunteerKey, action, now }, tx);

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

public enum TransferOutcome
{
    Moved,

    /// <summary>No offer to this volunteer for that conversation.</summary>
    NotYours,

    /// <summary>The offer was there, but its holder no longer holds the conversation (released, closed, forgotten).</summary>
    Gone,
}

public sealed record TransferAnswer(TransferOutcome Outcome, Address? PreviousHolder);
