using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>Text typed while the complaint companion waits for a choice stays in the companion.</summary>
public abstract class CompanionInputTests(Store store) : IDisposable
{
    private readonly CoreHarness _core = new(store: store);
    private readonly Actor _alice = Say.Member("alice");

    public void Dispose() => _core.Dispose();

    private async Task StartCompanionAsync()
    {
        var guide = (await _core.Bot.HandleAsync(Say.Command(_alice, "complaint", "psychologist", "uk"), default)).Single();
        await _core.Bot.HandleAsync(Say.Press(_alice, guide.Choices().Single(c => c.ActionId == "companion:start").ActionId), default);
    }

    [StoreFact]
    public async Task Text_typed_at_a_choice_step_never_reaches_the_volunteer_who_holds_the_conversation()
    {
        var vol = Say.Volunteer("vol");
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "my story");
        await _core.Bot.HandleAsync(Say.Press(vol, $"claim:{id}"), default);
        await StartCompanionAsync();

        var typed = await _core.Bot.HandleAsync(Say.Dm(_alice, "the psychologist, Dr Halloran"), default);

        Assert.All(typed, r => Assert.Equal(new Audience.Direct(_alice.Address), r.Audience));
        Assert.Contains(_core.Content.Companion.AskProfession, typed[0].Text(), StringComparison.Ordinal);
        Assert.Contains(typed, r => r.Choices().Any(c => c.ActionId == "companion:profession"));
        Assert.DoesNotContain("Dr Halloran", typed.AllText(), StringComparison.Ordinal);
        var transcript = await _core.Get<ConversationStore>().ReadTranscriptAsync(id, vol.Address, default);
        Assert.DoesNotContain(transcript, e => e.Text.Contains("Halloran", StringComparison.Ordinal));
        Assert.Equal(DraftStep.Profession, (await _core.Get<DraftStore>().GetAsync(_alice.Address, default))!.Step);
    }

    [StoreFact]
    public async Task Text_typed_at_a_multi_select_step_starts_no_intake_and_the_companion_goes_on_from_there()
    {
        await StartCompanionAsync();
        await _core.Bot.HandleAsync(Say.Press(_alice, "companion:skip:profession"), default);
        await _core.Bot.HandleAsync(Say.Press(_alice, "companion:skip:region"), default);
        await _core.Bot.HandleAsync(Say.Dm(_alice, "what happened"), default);
        await _core.Bot.HandleAsync(Say.Dm(_alice, "last spring"), default);

        var typed = await _core.Bot.HandleAsync(Say.Dm(_alice, "I have screenshots"), default);
        var next = await _core.Bot.HandleAsync(Say.Press(_alice, "companion:evidence", "messages"), default);

        Assert.Contains(_core.Content.Companion.AskEvidence, typed[0].Text(), StringComparison.Ordinal);
        Assert.DoesNotContain(typed, r => r.Audience is Audience.Volunteers || r.Choices().Any(c => c.ActionId.StartsWith("consent:", StringComparison.Ordinal)));
        Assert.Null(await _core.Get<ConversationStore>().FindOpenAsync(_alice.Address, default));
        Assert.Contains(next.Single().Choices(), c => c.ActionId == "companion:wants");
    }
}

public sealed class CompanionInputOnSqlite() : CompanionInputTests(Store.Sqlite);

public sealed class CompanionInputOnPostgres() : CompanionInputTests(Store.Postgres), IOnPostgres;
