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
        var kept = await Outbox(_a).KeepAsync(_bea, [relay, notice], default);

        await router.DeliverAsync(kept[0], default);
        await router.DeliverAsync(kept[0], default);

        Assert.Equal([kept[0], kept[0]], adapter.Sent);
        Assert.Equal([""], Rows(_a).Select(r => r.Platform));
    }

    [StoreFact]
    public async Task A_queued_conversation_leaves_its_volunteer_notice_and_the_survivors_place_in_the_outbox_until_they_are_delivered()
    {
        var adapter = new RecordingAdapter(Platform.Console);
        var router = new ReplyRouter([adapter], NullLogger<ReplyRouter>.Instance, outbox: Outbox(_a));
        var first = await _a.Bot.HandleAsync(Say.Dm(_bea, "my therapist asked me to keep our texts secret"), default);
        // The first answer (the consent question) is stored with the message's own write, until delivered.
        Assert.Equal(["Console"], Rows(_a).Select(r => r.Platform));
        await router.DeliverAsync(first.Single(), default);
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
    public async Task At_start_the_rows_of_a_run_that_ended_are_taken_at_once_on_sqlite_and_after_their_lease_on_postgres()
    {
        await Outbox(_a).KeepAsync(_bea, [Reply.ToVolunteers(new TextBlock("#7 is waiting"))], default);
        _a.Get<InboxStore>().Dispose(); // the run ends as a kill -9 ends it: its owner lock is let go, its rows stay leased
        var next = Another();

        var atStart = await Outbox(next).TakeOverAsync(Everywhere, atStart: true, default);

        // On SQLite every process shares the machine, and the writer's lock says it is gone. On PostgreSQL only the lease counts.
        Assert.Equal(store == Store.Sqlite ? 1 : 0, atStart.Count);
        if (store == Store.Postgres)
        {
            next.Clock.Advance(PastLease);
            Assert.Single(await Outbox(next).TakeOverAsync(Everywhere, atStart: false, default));
        }
    }

    [StoreFact]
    public async Task At_start_the_rows_of_a_live_process_are_not_taken_before_their_lease_runs_out()
    {
        await Outbox(_a).KeepAsync(_bea, [Reply.ToVolunteers(new TextBlock("#7 is waiting"))], default);
        var next = Another();

        // A runs, delivering its row: a second process starting on the same database must not send it too.
        Assert.Empty(await Outbox(next).TakeOverAsync(Everywhere, atStart: true, default));
        next.Clock.Advance(PastLease);
        Assert.Single(await Outbox(next).TakeOverAsync(Everywhere, atStart: false, default));
    }

    [StoreFact]
    public async Task A_row_held_for_many_leases_is_renewed_as_long_as_its_process_runs()
    {
        var notice = Reply.ToVolunteers(new TextBlock("#7 is waiting"));
        await Outbox(_a).KeepAsync(_bea, [notice], default);
        var b = Another();

        // Held far past any cap (a delivery behind a long rate limit): renewed every tick, never taken by another.
        for (var tick = 0; tick < 40; tick++)
        {
            _a.Clock.Advance(TimeSpan.FromSeconds(10));
            b.Clock.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(1, await Outbox(_a).RenewAsync(default));
            Assert.Empty(await Outbox(b).TakeOverAsync(Everywhere, atStart: false, default));
        }

        // It stops renewing (killed): once the lease ran out, B takes it.
        b.Clock.Advance(PastLease);
        Assert.Equal(notice.Audience, Assert.Single(await Outbox(b).TakeOverAsync(Everywhere, atStart: false, default)).Audience);
    }

    [StoreFact]
    public async Task A_stored_reply_keeps_its_nonce_when_another_process_takes_it_over()
    {
        var kept = await Outbox(_a).KeepAsync(_bea, [Reply.DirectTo(_vol.Address, new TextBlock("words"))], default);
        var b = Another();
        b.Clock.Advance(PastLease);

        var taken = Assert.Single(await Outbox(b).TakeOverAsync(Everywhere, atStart: false, default));

        Assert.Matches("^[0-9A-F]{16}$", kept[0].Nonce);
        Assert.Equal(kept[0].Nonce, taken.Nonce);
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

    [StoreFact]
    public async Task A_forget_deletes_the_undelivered_replies_of_the_persons_conversations_and_leaves_everyone_elses()
    {
        const string Words = "my therapist kept our sessions at his flat";
        var cat = Say.Member("cat");
        var id = await _a.Bot.QueueDisclosureAsync(_bea, "Dr Quillfeather asked me to keep our texts secret");
        await _a.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        // Nothing here is delivered (no adapter runs): bea's place, the claim's notes and transcript, and the relay of
        // her next words wait in the outbox, as they would behind a slow platform or after a kill.
        await _a.Bot.HandleAsync(Say.Dm(_bea, Words), default);
        await _a.Bot.QueueDisclosureAsync(cat, "my coach asked me out");
        var before = await WaitingAsync();
        Assert.Contains(before, r => r.Text().Contains(Words, StringComparison.Ordinal));
        Assert.Contains(before, r => r.Text().Contains("Quillfeather", StringComparison.Ordinal));

        await _a.Bot.HandleAsync(Say.Command(_bea, "forget"), default);

        var waiting = await WaitingAsync();
        Assert.DoesNotContain(waiting, r => r.Text().Contains(Words, StringComparison.Ordinal) || r.Text().Contains("Quillfeather", StringComparison.Ordinal));
        Assert.DoesNotContain(waiting, r => r.Audience is Audience.Direct { User: var user } && user == _bea.Address);
        Assert.DoesNotContain(waiting, r => r.Audience is Audience.OnlyActor { User: var user } && user == _bea.Address);
        // What stays: the holder told by number that the person left, and everything of cat's.
        Assert.Contains(waiting, r => r.Audience == new Audience.Direct(_vol.Address) && r.Text().Contains($"#{id} has ended", StringComparison.Ordinal));
        Assert.Contains(waiting, r => r.Audience == new Audience.OnlyActor(cat.Address));
        Assert.Contains(waiting, r => r.Audience is Audience.Volunteers && r.Choices().Any(c => c.ActionId == $"claim:{id + 1}"));
    }

    [StoreFact]
    public async Task A_keep_nothing_close_deletes_the_conversations_undelivered_replies_and_stores_its_own_notes()
    {
        const string Words = "he told me nobody would believe me";
        const string LastLine = "Please look after yourself tonight.";
        var cat = Say.Member("cat");
        var id = await _a.Bot.QueueDisclosureAsync(_bea, "Dr Quillfeather asked me to keep our texts secret");
        await _a.Bot.HandleAsync(Say.Press(_bea, $"safeguard:keep:{id}"), default);
        await _a.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        // Nothing here is delivered (no adapter runs): the transcript, the relay of bea's words to vol and of vol's
        // last line to bea wait in the outbox, as they would behind a slow platform or after a kill.
        await _a.Bot.HandleAsync(Say.Dm(_bea, Words), default);
        await _a.Bot.HandleAsync(Say.Dm(_vol, LastLine), default);
        await _a.Bot.QueueDisclosureAsync(cat, "my coach asked me out");
        var before = await WaitingAsync();
        Assert.Contains(before, r => r.Text().Contains(Words, StringComparison.Ordinal));
        Assert.Contains(before, r => r.Text().Contains(LastLine, StringComparison.Ordinal));

        await _a.Bot.HandleAsync(Say.Command(_vol, "close", "supported"), default);

        // bea is told everything in the conversation was deleted: nothing of it may still go out after that.
        var waiting = await WaitingAsync();
        Assert.DoesNotContain(waiting, r => r.Text().Contains(Words, StringComparison.Ordinal) || r.Text().Contains("Quillfeather", StringComparison.Ordinal));
        Assert.DoesNotContain(waiting, r => r.Text().Contains(LastLine, StringComparison.Ordinal));
        // What stays: the close's own notes, stored in its commit after the deletion, and everything of cat's.
        var note = Assert.Single(waiting, r => r.Audience == new Audience.Direct(_bea.Address));
        Assert.Contains(_a.Content.Messages.KeepNothingDeleted, note.Text(), StringComparison.Ordinal);
        Assert.Contains(waiting, r => r.Audience is Audience.Volunteers && r.Text().Contains($"#{id} ", StringComparison.Ordinal));
        Assert.Contains(waiting, r => r.Audience == new Audience.OnlyActor(_vol.Address));
        Assert.Contains(waiting, r => r.Audience == new Audience.OnlyActor(cat.Address));
        Assert.Contains(waiting, r => r.Audience is Audience.Volunteers && r.Choices().Any(c => c.ActionId == $"claim:{id + 1}"));
    }

    [StoreFact]
    public async Task A_close_without_keep_nothing_leaves_the_conversations_undelivered_replies_to_go_out()
    {
        const string Words = "he told me nobody would believe me";
        var id = await _a.Bot.QueueDisclosureAsync(_bea, "Dr Quillfeather asked me to keep our texts secret");
        await _a.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        await _a.Bot.HandleAsync(Say.Dm(_bea, Words), default);

        await _a.Bot.HandleAsync(Say.Command(_vol, "close", "supported"), default);

        Assert.Contains(await WaitingAsync(), r => r.Audience == new Audience.Direct(_vol.Address) && r.Text().Contains(Words, StringComparison.Ordinal));
    }

    /// <summary>Every reply still in the outbox, opened: taken over by another process once the leases ran out.</summary>
    private async Task<IReadOnlyList<Reply>> WaitingAsync()
    {
        var other = Another();
        other.Clock.Advance(PastLease);
        var taken = await Outbox(other).TakeOverAsync(Everywhere, atStart: false, default);
        await Outbox(other).ReleaseAsync(default);
        return taken;
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
