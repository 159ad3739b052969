using System.Globalization;
using Dapper;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Safeguards;
using SupportBot.Core.Storage;
using SupportBot.Tests.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Toolkit;

/// <summary>The off-platform contact guard, conflict-of-interest screening and keep-nothing mode.</summary>
public sealed class SafeguardTests : IDisposable
{
    private const string Disclosure = "My coach kept asking me to come to his house for extra sessions";
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");
    private readonly Actor _sam = Say.Volunteer("sam");

    public void Dispose() => _core.Dispose();

    private ConversationStore Store => _core.Get<ConversationStore>();

    [Fact]
    public async Task A_volunteer_message_with_a_phone_number_is_held_with_the_reason_and_sent_only_when_confirmed()
    {
        var id = await ClaimedAsync(_vol);

        var held = await _core.Bot.HandleAsync(Say.Dm(_vol, "Text me on 07700 900123 if that's easier"), default);

        var notice = held.Single();
        Assert.Equal(new Audience.Direct(_vol.Address), notice.Audience);
        Assert.Contains(_core.Content.Messages.GuardReasonPhone, notice.Text(), StringComparison.Ordinal);
        Assert.Contains(notice.Choices(), c => c.ActionId == $"guard:send:{id}");
        Assert.Contains("contact-held:phone,handle", (await Store.AuditTrailAsync(id, default)).Select(a => a.Action));

        var sent = await _core.Bot.HandleAsync(Say.Press(_vol, $"guard:send:{id}"), default);

        Assert.Contains("07700 900123", sent.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Contains("contact-confirmed:phone,handle", (await Store.AuditTrailAsync(id, default)).Select(a => a.Action));
        Assert.DoesNotContain("07700", _core.Logs.AllText, StringComparison.Ordinal);
        var again = await _core.Bot.HandleAsync(Say.Press(_vol, $"guard:send:{id}"), default);
        Assert.Equal(_core.Content.Messages.GuardNothingHeld, again.Single().Text().Trim());
    }

    [Fact]
    public async Task A_held_message_can_be_dropped_with_the_confirm_command_and_never_reaches_the_survivor()
    {
        var id = await ClaimedAsync(_vol);
        await _core.Bot.HandleAsync(Say.Dm(_vol, "We could meet for coffee at the station"), default);

        var dropped = await _core.Bot.HandleAsync(Say.Command(_vol, "confirm", "discard"), default);
        var nothing = await _core.Bot.HandleAsync(Say.Command(_vol, "confirm", "send"), default);

        Assert.Equal(_core.Content.Messages.GuardDiscarded, dropped.Single().Text().Trim());
        Assert.Equal(_core.Content.Messages.GuardNothingHeld, nothing.Single().Text().Trim());
        Assert.DoesNotContain(await Store.ReadTranscriptAsync(id, _vol.Address, default), e => e.Text.Contains("coffee", StringComparison.Ordinal));
        Assert.Contains("contact-discarded:place", (await Store.AuditTrailAsync(id, default)).Select(a => a.Action));
    }

    [Theory]
    [InlineData("write to me at jo.smith@example.org", ContactKind.Email)]
    [InlineData("find me @jo_smith_22", ContactKind.Handle)]
    [InlineData("add me on Instagram", ContactKind.Handle)]
    [InlineData("we could meet up after work", ContactKind.Place)]
    [InlineData("come over to my flat", ContactKind.Place)]
    [InlineData("send me £20 on PayPal", ContactKind.Payment)]
    [InlineData("call +1 (415) 555-0134", ContactKind.Phone)]
    public void The_screen_names_what_a_message_carries(string text, ContactKind kind)
    {
        Assert.Contains(kind, _core.Get<ContactScreen>().Find(text));
    }

    [Theory]
    [InlineData("That sounds really hard. I'm here, take your time.")]
    [InlineData("Your session was on 2026-11-20 from 09:00-17:00?")]
    [InlineData("/resources lists lines that answer day and night.")]
    public void Ordinary_replies_pass_the_screen(string text)
    {
        Assert.Empty(_core.Get<ContactScreen>().Find(text));
    }

    [Fact]
    public void A_crisis_line_from_the_content_is_not_held()
    {
        var line = _core.Content.Crisis.Countries.SelectMany(c => c.Lines).First(l => l.Phone is { Length: > 10 });

        Assert.DoesNotContain(ContactKind.Phone, _core.Get<ContactScreen>().Find($"You can call {line.Phone} any time."));
    }

    [Fact]
    public async Task A_conversation_naming_a_community_a_volunteer_declared_is_neither_listed_for_them_nor_claimable_by_them()
    {
        await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "add", "Dr. Lotus Yoga Collective"), default);
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var form = await _core.Bot.HandleAsync(Say.Press(_alice, $"safeguard:community:{id}"), default);
        var formId = form.Single().Blocks.OfType<FormBlock>().Single().FormId;
        var saved = await _core.Bot.HandleAsync(new FormSubmitted(_alice, Say.NewId(), formId,
            new Dictionary<string, string> { ["community"] = "the lotus yoga collective" }), default);
        Assert.Equal(_core.Content.Messages.CommunitySaved, saved.Single().Text().Trim());

        var queueForVol = await _core.Bot.HandleAsync(Say.Command(_vol, "queue"), default);
        var claimByNumber = await _core.Bot.HandleAsync(Say.Command(_vol, "claim", Number(id)), default);
        var claimNext = await _core.Bot.HandleAsync(Say.Command(_vol, "claim"), default);

        Assert.Equal(_core.Content.Messages.QueueEmpty, queueForVol.Single().Text().Trim());
        Assert.Contains("#" + id, claimByNumber.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(_core.Content.Messages.QueueEmpty, claimNext.Single().Text().Trim());
        Assert.Equal(ConversationStatus.Queued, (await Store.GetAsync(id, default))!.Status);

        var queueForSam = await _core.Bot.HandleAsync(Say.Command(_sam, "queue"), default);
        Assert.Contains("#" + id, queueForSam.Single().Text(), StringComparison.Ordinal);
        await _core.Bot.HandleAsync(Say.Command(_sam, "claim", Number(id)), default);
        Assert.Equal(_sam.Address, (await Store.GetAsync(id, default))!.ClaimedBy);

        // Invariant 4: neither the survivor's wording nor the volunteer's is in the file in plain text.
        var raw = RawFiles.ReadDatabase(_core.DatabasePath);
        Assert.Equal(0, RawFiles.Count(raw, "lotus"));
        Assert.Equal(0, RawFiles.Count(raw, "Lotus"));
    }

    [Fact]
    public async Task A_conversation_is_not_handed_to_a_volunteer_who_declared_what_it_names_and_the_holder_keeps_it()
    {
        await _core.Bot.HandleAsync(Say.Command(_sam, "affiliations", "add", "Dr. Lotus Yoga Collective"), default);
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var form = await _core.Bot.HandleAsync(Say.Press(_alice, $"safeguard:community:{id}"), default);
        var formId = form.Single().Blocks.OfType<FormBlock>().Single().FormId;
        await _core.Bot.HandleAsync(new FormSubmitted(_alice, Say.NewId(), formId,
            new Dictionary<string, string> { ["community"] = "the lotus yoga collective" }), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", Number(id)), default);

        var refused = await _core.Bot.HandleAsync(Say.Command(_vol, "transfer", Number(id), "@sam"), default);

        var answer = refused.Single();
        Assert.Equal(new Audience.OnlyActor(_vol.Address), answer.Audience);
        Assert.Equal(MessageTemplate.Fill(_core.Content.Messages.TransferConflict, ("Id", id)), answer.Text().Trim());
        Assert.DoesNotContain("lotus", answer.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("transfer-offer", (await Store.AuditTrailAsync(id, default)).Select(a => a.Action));
        var byAccepting = await _core.Bot.HandleAsync(Say.Command(_sam, "transfer", "accept", Number(id)), default);
        Assert.Contains($"no handover of #{id}", byAccepting.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(_vol.Address, (await Store.GetAsync(id, default))!.ClaimedBy);

        // Someone who declared nothing it names can still be offered it.
        var lee = Say.Volunteer("lee");
        var offered = await _core.Bot.HandleAsync(Say.Command(_vol, "transfer", Number(id), "@lee"), default);
        Assert.Contains(offered, r => r.Audience == new Audience.Direct(lee.Address));
    }

    [Fact]
    public async Task Affiliations_are_listed_back_to_their_volunteer_and_can_be_removed()
    {
        await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "add", "Riverside Sangha"), default);
        var list = await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "list"), default);
        var other = await _core.Bot.HandleAsync(Say.Command(_sam, "affiliations"), default);
        var removed = await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "remove", "riverside  sangha"), default);
        var empty = await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "list"), default);
        var usage = await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "add"), default);

        Assert.Contains("Riverside Sangha", list.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(_core.Content.Messages.AffiliationsNone, other.Single().Text().Trim());
        Assert.Contains("Removed", removed.Single().Text(), StringComparison.Ordinal);
        Assert.Equal(_core.Content.Messages.AffiliationsNone, empty.Single().Text().Trim());
        Assert.Equal(_core.Content.Messages.AffiliationsUsage, usage.Single().Text().Trim());
    }

    [Fact]
    public async Task Forget_deletes_a_volunteers_affiliations()
    {
        await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "add", "Riverside Sangha"), default);

        await _core.Bot.HandleAsync(Say.Command(_vol, "forget"), default);

        var list = await _core.Bot.HandleAsync(Say.Command(_vol, "affiliations", "list"), default);
        Assert.Equal(_core.Content.Messages.AffiliationsNone, list.Single().Text().Trim());
    }

    [Fact]
    public async Task The_community_cannot_be_named_once_a_volunteer_holds_the_conversation()
    {
        var id = await ClaimedAsync(_vol);

        var late = await _core.Bot.HandleAsync(new FormSubmitted(_alice, Say.NewId(), $"safeguard:community:{id}",
            new Dictionary<string, string> { ["community"] = "Riverside Sangha" }), default);

        Assert.Equal(_core.Content.Messages.CommunityTooLate, late.Single().Text().Trim());
    }

    [Fact]
    public async Task Keep_nothing_deletes_the_words_at_close_and_tells_the_survivor()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var chosen = await _core.Bot.HandleAsync(Say.Press(_alice, $"safeguard:keep:{id}"), default);
        Assert.Contains("30 days", chosen.Single().Text(), StringComparison.Ordinal);
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", Number(id)), default);
        await _core.Bot.HandleAsync(Say.Dm(_vol, "Thank you for telling me."), default);
        await _core.Bot.HandleAsync(Say.Command(_vol, "note", "follow up on the coach"), default);

        var closed = await _core.Bot.HandleAsync(Say.Command(_vol, "close", "supported"), default);

        Assert.Contains(_core.Content.Messages.KeepNothingDeleted, closed.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await CountWordsAsync(id));
        Assert.Equal(ConversationStatus.Closed, (await Store.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task Without_keep_nothing_a_closed_transcript_stays_for_the_retention_period()
    {
        var id = await ClaimedAsync(_vol);

        var closed = await _core.Bot.HandleAsync(Say.Command(_vol, "close", "supported"), default);

        Assert.DoesNotContain(_core.Content.Messages.KeepNothingDeleted, closed.DmTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Equal((1L, 0L), await CountWordsAsync(id));
    }

    [Fact]
    public async Task Keep_nothing_also_applies_when_the_survivor_ends_it_and_the_button_only_works_for_them()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        var forged = await _core.Bot.HandleAsync(Say.Press(Say.Member("mallory"), $"safeguard:keep:{id}"), default);
        Assert.Equal(_core.Content.Messages.UnknownAction, forged.Single().Text().Trim());
        await _core.Bot.HandleAsync(Say.Press(_alice, $"safeguard:keep:{id}"), default);

        var ended = await _core.Bot.HandleAsync(Say.Command(_alice, "end"), default);

        Assert.Contains(_core.Content.Messages.KeepNothingDeleted, ended.OnlyTo(_alice).Text(), StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await CountWordsAsync(id));
    }

    private async Task<long> ClaimedAsync(Actor volunteer)
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, Disclosure);
        await _core.Bot.HandleAsync(Say.Command(volunteer, "claim", Number(id)), default);
        return id;
    }

    private async Task<(long Messages, long Notes)> CountWordsAsync(long id)
    {
        await using var db = await _core.Get<Database>().OpenAsync(default);
        return (await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Messages WHERE ConversationId = @id", new { id }),
                await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Notes WHERE ConversationId = @id", new { id }));
    }

    private static string Number(long id) => id.ToString(CultureInfo.InvariantCulture);
}
