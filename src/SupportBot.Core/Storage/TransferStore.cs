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
    public async Task<bool> OfferAsync(long id, Address holder, Address to, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var from = ids.Key(holder);
        var holds = await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @from", new { id, from }, tx, cancellationToken: ct));
        if (holds != 1)
        {
            return false;
        }

        var now = Now();
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO Transfers (ConversationId, FromVolunteer, ToVolunteer, CreatedAt) VALUES (@id, @from, @to, @now)
            ON CONFLICT (ConversationId) DO UPDATE SET FromVolunteer = excluded.FromVolunteer, ToVolunteer = excluded.ToVolunteer, CreatedAt = excluded.CreatedAt
            """,
            new { id, from, to = ids.Key(to), now }, tx, cancellationToken: ct));
        await AuditAsync(db, tx, id, from, "transfer-offer", now, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Moves the claim to <paramref name="volunteer"/> if the offer is theirs and its holder still holds the conversation.
    /// Returns the previous holder's address, or null (the offer is then dropped if it went stale).
    /// </summary>
    public async Task<TransferAnswer> AcceptAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var to = ids.Key(volunteer);
        var offer = await db.QuerySingleOrDefaultAsync<(string FromVolunteer, byte[]? ClaimedBySealed)>(new CommandDefinition(
            """
            SELECT t.FromVolunteer, c.ClaimedBySealed FROM Transfers t JOIN Conversations c ON c.Id = t.ConversationId
            WHERE t.ConversationId = @id AND t.ToVolunteer = @to AND c.Status = 'Claimed' AND c.ClaimedBy = t.FromVolunteer
            """,
            new { id, to }, tx, cancellationToken: ct));
        if (offer.FromVolunteer is null || offer.ClaimedBySealed is null)
        {
            var stale = await db.ExecuteAsync(new CommandDefinition(
                "DELETE FROM Transfers WHERE ConversationId = @id AND ToVolunteer = @to", new { id, to }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return new TransferAnswer(stale > 0 ? TransferOutcome.Gone : TransferOutcome.NotYours, null);
        }

        var now = Now();
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE Conversations SET ClaimedBy = @to, ClaimedBySealed = @sealedAddress WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @from",
            new { id, to, from = offer.FromVolunteer, sealedAddress = ids.Seal(volunteer) }, tx, cancellationToken: ct));
        if (changed != 1)
        {
            return new TransferAnswer(TransferOutcome.Gone, null);
        }

        var previous = ids.Open(offer.ClaimedBySealed, offer.FromVolunteer);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM Transfers WHERE ConversationId = @id", new { id }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM VolunteerFocus WHERE Volunteer = @from AND ConversationId = @id", new { id, from = offer.FromVolunteer }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO VolunteerFocus (Volunteer, ConversationId) VALUES (@to, @id) ON CONFLICT (Volunteer) DO UPDATE SET ConversationId = excluded.ConversationId",
            new { id, to }, tx, cancellationToken: ct));
        await AuditAsync(db, tx, id, offer.FromVolunteer, "transfer-out", now, ct);
        await AuditAsync(db, tx, id, to, "transfer-in", now, ct);
        await tx.CommitAsync(ct);
        return new TransferAnswer(TransferOutcome.Moved, previous);
    }

    /// <summary>Drops an offer made to <paramref name="volunteer"/>: whether there was one, and the holder to tell if they still hold it.</summary>
    public async Task<(bool Declined, Address? Holder)> DeclineAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var to = ids.Key(volunteer);
        var holder = await db.QuerySingleOrDefaultAsync<(string? ClaimedBy, byte[]? ClaimedBySealed)>(new CommandDefinition(
            """
            SELECT c.ClaimedBy, c.ClaimedBySealed FROM Transfers t JOIN Conversations c ON c.Id = t.ConversationId
            WHERE t.ConversationId = @id AND t.ToVolunteer = @to AND c.ClaimedBy = t.FromVolunteer
            """,
            new { id, to }, tx, cancellationToken: ct));
        var deleted = await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM Transfers WHERE ConversationId = @id AND ToVolunteer = @to", new { id, to }, tx, cancellationToken: ct));
        if (deleted == 0)
        {
            return (false, null);
        }

        await AuditAsync(db, tx, id, to, "transfer-decline", Now(), ct);
        await tx.CommitAsync(ct);
        return (true, holder.ClaimedBy is not null && holder.ClaimedBySealed is not null ? ids.Open(holder.ClaimedBySealed, holder.ClaimedBy) : null);
    }

    private static Task<int> AuditAsync(System.Data.IDbConnection db, System.Data.IDbTransaction tx, long id, string volunteerKey, string action, long now, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @volunteerKey, @action, @now)",
            new { id, volunteerKey, action, now }, tx, cancellationToken: ct));

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
