using System.Globalization;
using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Core.Timing;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Toolkit;

/// <summary>Support hours, alerts, nudges and quiet closes, on a clock that moves only when the test says so.</summary>
public abstract class SupportTimerTests(Store store) : IDisposable
{
    private const string Disclosure = "He said our sessions would be our secret";
    private readonly CoreHarness _core = new(store: store, settings: new Dictionary<string, string?>
    {
        ["Support:AlertAfter"] = "00:30:00",
        ["Support:NudgeAfter"] = "04:00:00",
        ["Support:AutoCloseAfter"] = "14.00:00:00",
    });

    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");

    public void Dispose() => _core.Dispose();

    private SupportTimers Timers => _core.Get<SupportTimers>();

    [StoreFact]
    public async Task A_conversation_waiting_longer_than_alert_after_is_announced_again_once_per_interval_without_its_words()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);

        _core.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Empty(await Timers.RunOnceAsync(default));

        _core.Clock.Advance(TimeSpan.FromMinutes(2));
        var alert = (await Timers.RunOnceAsync(default)).ForVolunteerChannel().Single();
        Assert.Contains("#" + id, alert.Text(), StringComparison.Ordinal);
        Assert.Contains("31 min", alert.Text(), StringComparison.Ordinal);
        Assert.Contains(alert.Choices(), c => c.ActionId == $"claim:{id}");
        Assert.DoesNotContain("secret", alert.Text(), StringComparison.OrdinalIgnoreCase);

        _core.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await Timers.RunOnceAsync(default));
        _core.Clock.Advance(TimeSpan.FromMinutes(21));
        Assert.Single((await Timers.RunOnceAsync(default)).ForVolunteerChannel());

        var audit = await _core.Get<ConversationStore>().AuditTrailAsync(id, default);
        Assert.Equal(2, audit.Count(a => a is { Volunteer: AuditLog.System, Action: "alert" }));
        Assert.DoesNotContain("secret", _core.Logs.AllText, StringComparison.OrdinalIgnoreCase);
    }

    [StoreFact]
    public async Task A_claimed_conversation_is_never_re_announced()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", Number(id)), default);

        _core.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Empty((await Timers.RunOnceAsync(default)).ForVolunteerChannel());
    }

    [StoreFact]
    public async Task A_holder_with_no_reply_for_nudge_after_is_nudged_and_a_reply_resets_the_wait()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", Number(id)), default);

        _core.Clock.Advance(TimeSpan.FromHours(3));
        await _core.Bot.HandleAsync(Say.Dm(_vol, "I'm here with you."), default);
        _core.Clock.Advance(TimeSpan.FromHours(3));
        Assert.Empty(await Timers.RunOnceAsync(default)); // three hours since the reply: not yet

        _core.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var nudge = (await Timers.RunOnceAsync(default)).Single();

        Assert.Equal(new Audience.Direct(_vol.Address), nudge.Audience);
        Assert.Contains("#" + id, nudge.Text(), StringComparison.Ordinal);
        Assert.Contains("/release", nudge.Text(), StringComparison.Ordinal);
        Assert.Empty(await Timers.RunOnceAsync(default));
        var audit = await _core.Get<ConversationStore>().AuditTrailAsync(id, default);
        Assert.Contains(audit, a => a.Action == "nudge");
    }

    [StoreFact]
    public async Task A_silent_conversation_is_closed_kindly_and_the_survivor_can_write_again()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", Number(id)), default);
        _core.Clock.Advance(TimeSpan.FromDays(13));
        await _core.Bot.HandleAsync(Say.Dm(_alice, "still thinking about it"), default);

        _core.Clock.Advance(TimeSpan.FromDays(13));
        Assert.DoesNotContain(await Timers.RunOnceAsync(default), r => r.Audience == new Audience.Direct(_alice.Address));

        _core.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var replies = await Timers.RunOnceAsync(default);

        Assert.Equal(_core.Content.Messages.AutoClosed, replies.DmTo(_alice).Text().Trim());
        Assert.Contains("#" + id, replies.DmTo(_vol).Text(), StringComparison.Ordinal);
        Assert.Equal(ConversationStatus.Closed, (await _core.Get<ConversationStore>().GetAsync(id, default))!.Status);
        Assert.Contains(await _core.Get<ConversationStore>().AuditTrailAsync(id, default), a => a is { Volunteer: AuditLog.System, Action: "auto-close" });

        var again = await _core.Bot.HandleAsync(Say.Dm(_alice, "hello again"), default);
        Assert.Contains(_core.Content.Messages.ConsentQuestion, again.DmTo(_alice).Text(), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_quiet_waiting_conversation_is_closed_and_the_volunteer_channel_learns_only_its_number()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        _core.Clock.Advance(TimeSpan.FromDays(15));

        var replies = await Timers.RunOnceAsync(default);

        var notice = replies.ForVolunteerChannel().Single();
        Assert.Contains("#" + id, notice.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", notice.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await _core.Get<ConversationStore>().QueueAsync(default));
    }

    private static string Number(long id) => id.ToString(CultureInfo.InvariantCulture);
}

public sealed class SupportTimerOnSqlite() : SupportTimerTests(Store.Sqlite);

public sealed class SupportTimerOnPostgres() : SupportTimerTests(Store.Postgres), IOnPostgres;

/// <summary>Support:Hours and what a survivor who writes outside them is told.</summary>
public sealed class SupportHoursTests
{
    // The harness clock starts on Monday 23 November 2026, 12:00 UTC.
    private static CoreHarness Core(string hours, string zone = "UTC") => new(settings: new Dictionary<string, string?>
    {
        ["Support:Hours"] = hours,
        ["Support:TimeZone"] = zone,
    });

    [Fact]
    public async Task Outside_hours_the_survivor_is_told_when_someone_will_likely_read_and_is_still_queued()
    {
        using var core = Core("Mon-Fri 18:00-22:00; Sat 10:00-14:00");
        var alice = Say.Member("alice");

        var first = await core.Bot.HandleAsync(Say.Dm(alice, "I need to talk to someone"), default);
        var consent = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        var queued = await core.Bot.HandleAsync(Say.Press(alice, consent.ActionId), default);

        Assert.Contains("Monday 18:00", first.DmTo(alice).Text(), StringComparison.Ordinal);
        Assert.Contains("Monday 18:00", queued.OnlyTo(alice).Text(), StringComparison.Ordinal);
        Assert.Contains("Mon-Fri 18:00-22:00", queued.OnlyTo(alice).Text(), StringComparison.Ordinal);
        Assert.Single(queued.ForVolunteerChannel());
        Assert.Single(await core.Get<ConversationStore>().QueueAsync(default));
    }

    [Fact]
    public async Task Inside_hours_nothing_is_said_about_hours()
    {
        using var core = Core("Mon-Fri 09:00-17:00");
        var first = await core.Bot.HandleAsync(Say.Dm(Say.Member("alice"), "I need to talk to someone"), default);

        Assert.DoesNotContain(core.Content.Messages.OutsideHours[..20], first.Single().Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_next_opening_is_found_in_the_configured_time_zone_across_the_weekend()
    {
        Assert.True(SupportHours.TryParse("Mon-Fri 09:00-17:00", "America/New_York", out var hours, out var error), error);
        var fridayNight = new DateTimeOffset(2026, 11, 27, 23, 30, 0, TimeSpan.Zero); // 18:30 in New York

        Assert.False(hours.IsOpen(fridayNight));
        var next = hours.NextOpening(fridayNight)!.Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.FromHours(-5)), next);
        Assert.Equal("Monday 09:00", SupportHours.Describe(next));
        Assert.True(hours.IsOpen(new DateTimeOffset(2026, 11, 30, 14, 30, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("Mon-Fri 9-5", "UTC")]
    [InlineData("Funday 09:00-17:00", "UTC")]
    [InlineData("Mon 17:00-09:00", "UTC")]
    [InlineData("Mon-Fri 09:00-17:00", "Mars/Olympus")]
    public void Bad_hours_or_time_zone_are_refused_with_a_reason(string hours, string zone)
    {
        Assert.False(SupportHours.TryParse(hours, zone, out _, out var error));
        Assert.Contains("Support:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_support_hours_setting_stops_start_up()
    {
        using var core = Core("whenever");

        var error = Assert.ThrowsAny<Exception>(() => core.Get<SupportHours>());
        Assert.Contains("Support:Hours", error.Message, StringComparison.Ordinal);
    }
}
