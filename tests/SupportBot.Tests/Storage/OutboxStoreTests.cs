using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Issue 14, notices across processes: the outbox holds an event's replies to other people (volunteer notices, relays)
/// sealed from the handler's return until the adapter delivered them; a process's rows are leased, renewed while it may
/// still deliver them, and taken over once, by one other process, when the lease runs out. Two cores on one database
/// stand in for two processes, each with its own writer, lease owner and clock; on SQLite and on PostgreSQL.
/// </summary>
public abstract class OutboxStoreTests(Store store) : IDisposable
{
    private static readonly TimeSpan PastLease = TimeSpan.FromSeconds(31);
    private static readonly Platform[] Everywhere = [Platform.Console, Platform.Discord, Platform.Slack];

    private readonly CoreHarness _a = new(store: store);
    private readonly List<CoreHarness> _others = [];
    private readonly Actor _bea = Say.Member("bea");
    private readonly Actor _vol = Say.Volunteer("vol");

    public void Dispose()
    {
        foreach (var other in _others)
        {
            other.Dispose();
        }

        _a.Dispose();
    }

    [StoreFact]
    public async Task Replies_to_others_are_kept_sealed_and_the_actors_own_answers_are_not()
    {
        var relay = Reply.DirectTo(_vol.Address, new TextBlock("Wren said: my coach kept texting me at night"));
        var notice = Reply.ToVolunteers(new TextBlock("#7 is waiting"));

        await Outbox(_a).KeepAsync(_bea, [Reply.Private(_bea, new TextBlock("Only you see this")), Reply.DirectTo(_bea.Address, new TextBlock("Thanks")), relay, notice], default);

        var rows = Rows(_a);
        Assert.Equal(["", "Console"], rows.Select(r => r.Platform).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.DoesNotContain("coach", Encoding.UTF8.GetString(r.Payload), StringComparison.Ordinal));
        Assert.All(rows, r => Assert.DoesNotContain("waiting", Encoding.UTF8.GetString(r.Payload), StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task The_router_deletes_a_kept_reply_once_it_delivered_it_and_leaves_other_rows_alone()
    {
        var adapter = new RecordingAdapter(Platform.Console);
        var router = new ReplyRouter([adapter], NullLogger<ReplyRouter>.Instance, outbox: Outbox(_a));
        var relay = Reply.DirectTo(_vol.Address, new TextBlock("words"));
        var notice = Reply.ToVolunteers(new TextBlock("#7 is waiting"));
        await Outbox(_a).KeepAsync(_bea, [relay, notice], default);

        await router.DeliverAsync(relay, default);
        await router.DeliverAsync(relay, default);

        Assert.Equal([relay, relay], adapter.Sent);
        Assert.Equal([""], Rows(_a).Select(r => r.Platform));
    }

    [StoreFact]
    public async Task A_queued_conversation_leaves_its_volunteer_notice_and_the_survivors_place_in_the_outbox_until_they_are_delivered()
    {
        var adapter = new RecordingAdapter(Platform.Console);
        var router = new ReplyRouter([adapter], NullLogger<ReplyRouter>.Instance, outbox: Outbox(_a));
        var first = await _a.Bot.HandleAsync(Say.Dm(_bea, "my therapist asked me to keep our texts secret"), default);
        Assert.Empty(Rows(_a));
        var consent = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));

        var replies = await _a.Bot.HandleAsync(Say.Press(_bea, consent.ActionId), default);

        var notice = Assert.Single(replies.ForVolunteerChannel());
        Assert.Equal(["", "Console"], Rows(_a).Select(r => r.Platform).Order(StringComparer.Ordinal));
        foreach (var reply in replies)
        {
            await router.DeliverAsync(reply, default);
        }

        Assert.Contains(notice, adapter.Sent);
        Assert.Empty(Rows(_a));
    }

    [StoreFact]
    public async Task A_live_process_keeps_its_rows_by_renewing_and_another_takes_them_once_after_the_lease_runs_out()
    {
        var b = Another();
        var c = Another();
        var notice = Reply.ToVolunteers(new TextBlock("#7 is waiting"), new ButtonsBlock([new Button("claim:7", "Claim #7", ButtonStyle.Primary)]));
        await Outbox(_a).KeepAsync(_bea, [notice], default);

        // A renews while it runs; B looks past the first lease but inside the renewed one.
        _a.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await Outbox(_a).RenewAsync(default));
        b.Clock.Advance(PastLease);
        Assert.Empty(await Outbox(b).TakeOverAsync(Everywhere, atStart: false, default));

        // A stops renewing (it was killed): once the renewed lease ran out, B and C look at once, and one takes it.
        b.Clock.Advance(TimeSpan.FromSeconds(20));
        c.Clock.Advance(PastLease + TimeSpan.FromSeconds(20));
        var takes = await Task.WhenAll(
            Task.Run(() => Outbox(b).TakeOverAsync(Everywhere, atStart: false, default)),
            Task.Run(() => Outbox(c).TakeOverAsync(Everywhere, atStart: false, default)));

        var taken = Assert.Single(takes.SelectMany(t => t));
        Assert.Equal(notice.Audience, taken.Audience);
        Assert.Equal(notice.Text(), taken.Text());
        Assert.Equal(notice.Choices(), taken.Choices());
        Assert.Empty(await Outbox(b).TakeOverAsync(Everywhere, atStart: false, default));
    }

    [StoreFact]
    public async Task Processes_taking_over_at_the_same_time_never_take_the_same_row()
    {
        for (var i = 0; i < 250; i++)
        {
            await Outbox(_a).KeepAsync(_bea, [Reply.ToVolunteers(new TextBlock($"#{i} is waiting"))], default);
        }

        var b = Another();
        var c = Another();
        b.Clock.Advance(PastLease);
        c.Clock.Advance(PastLease);
        var takes = await Task.WhenAll(
            Task.Run(() => Outbox(b).TakeOverAsync(Everywhere, atStart: false, default)),
            Task.Run(() => Outbox(c).TakeOverAsync(Everywhere, atStart: false, default)));

        var texts = takes.SelectMany(t => t.Select(r => r.Text().Trim())).ToList();
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"#{i} is waiting").Order(StringComparer.Ordinal), texts.Order(StringComparer.Ordinal));
    }

    [StoreFact]
    public async Task A_process_takes_only_replies_it_can_deliver_and_every_volunteer_notice()
    {
        var onDiscord = Reply.DirectTo(new Address(Platform.Discord, "123"), new TextBlock("relayed"));
        var notice = Reply.ToVolunteers(new TextBlock("#7 is waiting"));
        await Outbox(_a).KeepAsync(_bea, [onDiscord, notice], default);
        var slackOnly = Another();
        slackOnly.Clock.Advance(PastLease);

        var taken = Assert.Single(await Outbox(slackOnly).TakeOverAsync([Platform.Slack], atStart: false, default));

        Assert.IsType<Audience.Volunteers>(taken.Audience);
        Assert.Equal(["Discord"], Rows(_a).Where(r => r.LeasedBy != slackOnly.Get<InboxStore>().Owner).Select(r => r.Platform));
    }

    [StoreFact]
    public async Task At_start_an_earlier_runs_rows_are_taken_at_once_on_sqlite_and_after_their_lease_on_postgres()
    {
        await Outbox(_a).KeepAsync(_bea, [Reply.ToVolunteers(new TextBlock("#7 is waiting"))], default);
        var next = Another();

        var atStart = await Outbox(next).TakeOverAsync(Everywhere, atStart: true, default);

        // On SQLite one process is the design: the row's writer is an earlier run, gone. On PostgreSQL it may be alive.
        Assert.Equal(store == Store.Sqlite ? 1 : 0, atStart.Count);
        if (store == Store.Postgres)
        {
            next.Clock.Advance(PastLease);
            Assert.Single(await Outbox(next).TakeOverAsync(Everywhere, atStart: false, default));
        }
    }

    [StoreFact]
    public async Task A_row_its_adapter_never_delivered_stops_being_renewed_and_is_taken_over_by_its_own_process()
    {
        var notice = Reply.ToVolunteers(new TextBlock("#7 is waiting"));
        await Outbox(_a).KeepAsync(_bea, [notice], default);

        for (var tick = 0; tick < 15; tick++)
        {
            _a.Clock.Advance(TimeSpan.FromSeconds(10));
            await Outbox(_a).RenewAsync(default);
            Assert.Empty(await Outbox(_a).TakeOverAsync(Everywhere, atStart: false, default));
        }

        _a.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await Outbox(_a).RenewAsync(default));
        _a.Clock.Advance(PastLease);
        Assert.Equal(notice.Audience, Assert.Single(await Outbox(_a).TakeOverAsync(Everywhere, atStart: false, default)).Audience);
    }

    [StoreFact]
    public async Task What_a_stopping_process_did_not_deliver_is_released_for_another_to_take_at_once()
    {
        await Outbox(_a).KeepAsync(_bea, [Reply.ToVolunteers(new TextBlock("#7 is waiting"))], default);
        var b = Another();
        Assert.Empty(await Outbox(b).TakeOverAsync(Everywhere, atStart: false, default));

        Assert.Equal(1, await Outbox(_a).ReleaseAsync(default));

        Assert.Single(await Outbox(b).TakeOverAsync(Everywhere, atStart: false, default));
    }

    private static OutboxStore Outbox(CoreHarness core) => core.Get<OutboxStore>();

    /// <summary>A second core on the same database and key: another process, with its own writer, lease owner and clock.</summary>
    private CoreHarness Another()
    {
        var other = _a.AnotherProcess();
        _others.Add(other);
        return other;
    }

    private static List<OutboxRow> Rows(CoreHarness core)
    {
        using var db = core.OpenRaw();
        return db.Query<OutboxRow>("SELECT Platform, Payload, LeasedBy FROM Outbox ORDER BY Id").ToList();
    }

    private sealed record OutboxRow(string Platform, byte[] Payload, string? LeasedBy);

    private sealed class RecordingAdapter(Platform platform) : IChatAdapter
    {
        public Platform Platform => platform;

        public List<Reply> Sent { get; } = [];

        public Task SendAsync(Reply reply, CancellationToken ct)
        {
            Sent.Add(reply);
            return Task.CompletedTask;
        }
    }
}

public sealed class OutboxStoreOnSqlite() : OutboxStoreTests(Store.Sqlite);

public sealed class OutboxStoreOnPostgres() : OutboxStoreTests(Store.Postgres), IOnPostgres;
