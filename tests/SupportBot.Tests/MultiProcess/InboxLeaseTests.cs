using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.MultiProcess;

/// <summary>
/// Issue 14, invariants 5 and 9 across processes: two (or three) cores on one real SQLite file stand in for processes
/// sharing a database. Each has its own writer, lease owner and clock; an event is handled by whoever holds its lease,
/// taken over only once that lease ran out, and its work is committed once even when two processes handle it.
/// The same on PostgreSQL, where several processes are the point.
/// </summary>
public abstract class InboxLeaseTests(Store store) : IDisposable
{
    private static readonly TimeSpan PastLease = TimeSpan.FromSeconds(31);

    private readonly CoreHarness _a = new(store: store);
    private readonly List<CoreHarness> _others = [];

    public void Dispose()
    {
        foreach (var other in _others)
        {
            other.Services.Dispose();
        }

        _a.Dispose();
    }

    [StoreFact]
    public async Task An_event_leased_by_a_live_process_is_taken_over_by_another_only_after_its_lease_runs_out()
    {
        var b = Another();
        var handled = new ConcurrentQueue<string>();
        using var inFlight = new InFlightWork(b.Clock, NullLogger.Instance);
        await b.Bot.ReplayPendingAsync(Platform.Console, new PersonLanes(inFlight), (inbound, _) => Record(handled, inbound), default);
        var dm = Say.Dm(Say.Member("bea"), "what happened in the sessions");
        Assert.Equal(Acceptance.Stored, await _a.Bot.AcceptAsync(dm, default));

        // A keeps renewing while it runs; B looks past the first lease but inside the renewed one.
        _a.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await _a.Get<InboxStore>().RenewAsync(default));
        b.Clock.Advance(PastLease);
        await b.Bot.TakeOverExpiredAsync(default);
        Assert.Equal(_a.Get<InboxStore>().Owner, LeaseHolder());

        // A stops renewing (it died): once the renewed lease ran out, B takes the event, once.
        b.Clock.Advance(TimeSpan.FromSeconds(20));
        await b.Bot.TakeOverExpiredAsync(default);
        await b.Bot.TakeOverExpiredAsync(default);
        await WaitUntilAsync(() => !handled.IsEmpty && inFlight.Count == 0);

        Assert.Equal(b.Get<InboxStore>().Owner, LeaseHolder());
        Assert.Equal([dm.EventId], handled);
    }

    [StoreFact]
    public async Task Processes_taking_over_at_the_same_time_never_take_the_same_event()
    {
        var events = Enumerable.Range(0, 300).Select(i => Say.Dm(Say.Member($"p{i}"), "words")).ToList();
        foreach (var dm in events)
        {
            await _a.Bot.AcceptAsync(dm, default);
        }

        var b = Another();
        var c = Another();
        b.Clock.Advance(PastLease);
        c.Clock.Advance(PastLease);
        var takes = await Task.WhenAll(
            Task.Run(() => b.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: false, default)),
            Task.Run(() => c.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: false, default)));

        var taken = takes.SelectMany(t => t.Select(i => i.EventId)).ToList();
        Assert.Equal(events.Count, taken.Count);
        Assert.Equal(events.Select(e => e.EventId).Order(), taken.Order());
    }

    [StoreFact]
    public async Task Work_for_an_event_another_process_finished_first_is_undone_and_stored_once()
    {
        var bea = Say.Member("bea");
        var dm = Say.Dm(bea, "what happened in the sessions");
        await _a.Bot.AcceptAsync(dm, default);
        var b = Another();
        b.Clock.Advance(PastLease);
        var taken = Assert.Single(await b.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: false, default));

        // A stalled past its lease in the middle of the event's work; B took it over and finished it first.
        var answer = await b.Bot.HandleAcceptedAsync(taken, default);
        using (_a.Get<InboxStore>().Handling(dm.EventId))
        {
            await Assert.ThrowsAsync<EventAlreadyHandledException>(() => _a.Get<Intake>().HandleAsync(dm, default));
        }

        Assert.Contains(answer.DmTo(bea).Choices(), c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        Assert.Equal((1, 1), Count());
    }

    [StoreFact]
    public async Task Two_processes_handling_the_same_events_at_once_store_each_once_and_answer_each_once()
    {
        var people = Enumerable.Range(0, 40).Select(i => Say.Member($"p{i}")).ToList();
        var events = people.Select(p => Say.Dm(p, "what happened in the sessions")).ToList();
        foreach (var dm in events)
        {
            await _a.Bot.AcceptAsync(dm, default);
        }

        var b = Another();
        b.Clock.Advance(PastLease);
        Assert.Equal(events.Count, (await b.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: false, default)).Count);

        // A's lease ran out while it still had them queued: both handle every event at the same moment.
        var answers = await Task.WhenAll(events.Select(async dm =>
        {
            var both = await Task.WhenAll(
                Task.Run(() => _a.Bot.HandleAcceptedAsync(dm, default)),
                Task.Run(() => b.Bot.HandleAcceptedAsync(dm, default)));
            return both.Count(replies => replies.Count > 0);
        }));

        Assert.All(answers, answered => Assert.Equal(1, answered));
        Assert.Equal((people.Count, people.Count), Count());
    }

    [StoreFact]
    public async Task What_a_stopping_process_did_not_handle_is_released_for_another_to_take_at_once()
    {
        var dm = Say.Dm(Say.Member("bea"), "words");
        await _a.Bot.AcceptAsync(dm, default);
        var b = Another();

        Assert.Empty(await b.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: false, default));
        Assert.Equal(1, await _a.Get<InboxStore>().ReleaseAsync(default));

        Assert.Equal(dm.EventId, Assert.Single(await b.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: false, default)).EventId);
    }

    [StoreFact]
    public async Task A_start_takes_a_live_processs_events_only_after_their_lease_and_on_sqlite_an_ended_ones_at_once()
    {
        var dm = Say.Dm(Say.Member("bea"), "words");
        await _a.Bot.AcceptAsync(dm, default);
        var b = Another();

        // A runs and will handle its event: a process starting beside it leaves it alone.
        Assert.Empty(await b.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: true, default));

        // A ends as a kill -9 ends it (its owner lock let go, its lease still running): a start on SQLite knows it is gone
        // and takes its event at once; on PostgreSQL, where processes may be on other machines, only after the lease.
        _a.Get<InboxStore>().Dispose();
        var c = Another();
        var atStart = await c.Get<InboxStore>().TakeOverAsync(Platform.Console, atStart: true, default);
        Assert.Equal(store == Store.Sqlite ? [dm.EventId] : [], atStart.Select(e => e.EventId));
    }

    /// <summary>A second core on the same database and key: another process, with its own writer, lease owner and clock.</summary>
    private CoreHarness Another()
    {
        var other = _a.AnotherProcess();
        _others.Add(other);
        return other;
    }

    private static Task Record(ConcurrentQueue<string> handled, Inbound inbound)
    {
        handled.Enqueue(inbound.EventId);
        return Task.CompletedTask;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    private string? LeaseHolder()
    {
        using var db = _a.OpenRaw();
        return db.ExecuteScalar<string?>("SELECT LeasedBy FROM Inbox");
    }

    private (long Conversations, long Messages) Count()
    {
        using var db = _a.OpenRaw();
        return (db.ExecuteScalar<long>("SELECT COUNT(*) FROM Conversations"), db.ExecuteScalar<long>("SELECT COUNT(*) FROM Messages"));
    }
}

public sealed class InboxLeasesOnSqlite() : InboxLeaseTests(Store.Sqlite);

public sealed class InboxLeasesOnPostgres() : InboxLeaseTests(Store.Postgres), IOnPostgres;
