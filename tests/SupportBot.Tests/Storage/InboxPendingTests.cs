using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Invariant 9: whether a stored event still waits to be handled. An event this process stored moments ago is known to
/// be waiting without a read (the durable-DM path asks for every DM); handled, or once another process could have taken
/// it over, the database is asked again.
/// </summary>
public abstract class InboxPendingTests(Store store) : IDisposable
{
    private readonly CoreHarness _a = new(store: store);
    private CoreHarness? _b;

    public void Dispose()
    {
        _b?.Services.Dispose();
        _a.Dispose();
    }

    [StoreFact]
    public async Task An_event_stored_here_is_pending_until_it_is_marked_handled_even_with_no_write_of_its_own()
    {
        var inbox = _a.Get<InboxStore>();
        var dm = Say.Dm(Say.Member("bea"), "my coach asked me to keep our calls secret");
        Assert.True(await inbox.AcceptAsync(dm, default));
        var other = Say.Dm(Say.Member("cid"), "words");
        Assert.True(await inbox.AcceptAsync(other, default));

        Assert.True(await inbox.IsPendingAsync(dm.EventId, default));
        await inbox.MarkHandledAsync(other.EventId, default);

        Assert.False(await inbox.IsPendingAsync(other.EventId, default));
        Assert.True(await inbox.IsPendingAsync(dm.EventId, default));
    }

    [StoreFact]
    public async Task An_event_stored_here_but_handled_by_another_process_after_half_its_lease_is_not_pending_here()
    {
        var inbox = _a.Get<InboxStore>();
        var dm = Say.Dm(Say.Member("bea"), "my therapist wanted to meet outside the office");
        Assert.True(await inbox.AcceptAsync(dm, default));

        // This process stalls past its lease; another takes the event over and handles it.
        _b = _a.AnotherProcess();
        await _b.Get<InboxStore>().MarkHandledAsync(dm.EventId, default);
        _a.Clock.Advance(TimeSpan.FromSeconds(16));

        Assert.False(await inbox.IsPendingAsync(dm.EventId, default));
    }

    [StoreFact]
    public async Task An_event_stored_by_another_process_is_pending_here_only_while_the_database_says_so()
    {
        var dm = Say.Dm(Say.Member("bea"), "words");
        _b = _a.AnotherProcess();
        Assert.True(await _b.Get<InboxStore>().AcceptAsync(dm, default));
        var inbox = _a.Get<InboxStore>();

        Assert.True(await inbox.IsPendingAsync(dm.EventId, default));
        await _b.Get<InboxStore>().MarkHandledAsync(dm.EventId, default);
        Assert.False(await inbox.IsPendingAsync(dm.EventId, default));
    }
}

public sealed class InboxPendingOnSqlite() : InboxPendingTests(Store.Sqlite);

public sealed class InboxPendingOnPostgres() : InboxPendingTests(Store.Postgres), IOnPostgres;
