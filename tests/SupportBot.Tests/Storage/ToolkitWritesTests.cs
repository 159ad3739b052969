using Dapper;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// The toolkit's stores write through the one writer: each write made while an event is handled marks that event
/// handled in the same transaction, so a crash right after it leaves nothing to replay (and nothing done twice).
/// </summary>
public abstract class ToolkitWritesTests(Store store) : IDisposable
{
    private readonly CoreHarness _core = new(store: store);
    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");
    private readonly Actor _sam = Say.Volunteer("sam");

    public void Dispose() => _core.Dispose();

    [StoreFact]
    public async Task Each_toolkit_write_made_while_an_event_is_handled_marks_the_event_handled_with_it()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "My coach kept asking me to his house");
        var affiliations = _core.Get<AffiliationStore>();
        var transfers = _core.Get<TransferStore>();
        var blocks = _core.Get<BlockStore>();

        Assert.True(await MarkedAsync(() => affiliations.TagConversationAsync(id, _alice.Address, ["Riverside Sangha"], default)));
        Assert.True(await MarkedAsync(() => _core.Get<KeepNothingStore>().ChooseAsync(id, _alice.Address, default)));
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        Assert.True(await MarkedAsync(() => transfers.OfferAsync(id, _vol.Address, _sam.Address, default)));
        Assert.True((await MarkedAsync(() => transfers.DeclineAsync(id, _sam.Address, default))).Declined);
        await MarkedAsync(async () =>
        {
            await _core.Get<AuditLog>().WriteAsync(id, _vol.Address, "contact-held:phone", default);
            return true;
        });
        var blocked = await MarkedAsync(() => blocks.BlockAsync(id, _vol, _core.Clock.GetUtcNow().AddDays(7), "test", default));
        Assert.Equal(BlockOutcome.Blocked, blocked.Outcome);
        Assert.Equal(BlockCheck.FirstMessage, await MarkedAsync(() => blocks.CheckAsync(_alice.Address, default)));
        Assert.Equal(UnblockOutcome.Lifted, await MarkedAsync(() => blocks.UnblockAsync(id, _vol, default)));
        Assert.True(await MarkedAsync(() => affiliations.AddAsync(_vol.Address, "Riverside Sangha", default)));
        Assert.True(await MarkedAsync(() => affiliations.RemoveAsync(_vol.Address, "riverside sangha", default)));

        var trail = (await _core.Get<ConversationStore>().AuditTrailAsync(id, default)).Select(a => a.Action).ToList();
        Assert.Equal(["transfer-offer", "transfer-decline", "contact-held:phone", "block", "unblock"], trail.SkipWhile(a => a != "transfer-offer"));
    }

    [StoreFact]
    public async Task A_keep_nothing_close_deletes_the_words_in_the_close_itself()
    {
        var byVolunteer = await _core.Bot.QueueDisclosureAsync(_alice, "My coach kept asking me to his house");
        Assert.True(await _core.Get<KeepNothingStore>().ChooseAsync(byVolunteer, _alice.Address, default));
        var store = _core.Get<ConversationStore>();
        await store.ClaimAsync(byVolunteer, _vol.Address, default);
        Assert.True(await store.AddNoteAsync(byVolunteer, _vol.Address, "follow up", default));

        Assert.NotNull(await store.CloseByVolunteerAsync(byVolunteer, _vol.Address, "supported", default));

        Assert.Equal((0L, 0L), await WordsAsync(byVolunteer));
        var bySurvivor = await _core.Bot.QueueDisclosureAsync(Say.Member("bea"), "It happened at the club");
        Assert.True(await _core.Get<KeepNothingStore>().ChooseAsync(bySurvivor, Say.Member("bea").Address, default));
        Assert.NotNull(await store.CloseBySurvivorAsync(Say.Member("bea").Address, default));
        Assert.Equal((0L, 0L), await WordsAsync(bySurvivor));
    }

    private async Task<(long Messages, long Notes)> WordsAsync(long id)
    {
        await using var db = await _core.Get<Database>().OpenAsync(default);
        return (await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Messages WHERE ConversationId = @id", new { id }),
                await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Notes WHERE ConversationId = @id", new { id }));
    }

    /// <summary>Runs <paramref name="write"/> as the handling of a stored event; asserts its mark committed with it.</summary>
    private async Task<T> MarkedAsync<T>(Func<Task<T>> write)
    {
        var inbox = _core.Get<InboxStore>();
        var inbound = Say.Command(_vol, "help");
        Assert.True(await inbox.AcceptAsync(inbound, default));
        T result;
        using (var handling = inbox.Handling(inbound.EventId))
        {
            result = await write();
            Assert.True(handling.Mark.IsCommitted);
        }

        Assert.False(await inbox.IsPendingAsync(inbound.EventId, default));
        return result;
    }
}

public sealed class ToolkitWritesOnSqlite() : ToolkitWritesTests(Store.Sqlite);

public sealed class ToolkitWritesOnPostgres() : ToolkitWritesTests(Store.Postgres), IOnPostgres;
