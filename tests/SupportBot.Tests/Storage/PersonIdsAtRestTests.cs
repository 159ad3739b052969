using SupportBot.Core;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Storage;

/// <summary>Invariant 7, second half: platform user ids are never stored in plain text.</summary>
public sealed class PersonIdsAtRestTests : IDisposable
{
    private const string SurvivorId = "918273645546372819";
    private const string VolunteerId = "U07QZXWVB3K";
    private readonly CoreHarness _core = new();
    private readonly Actor _survivor = new(new Address(Platform.Discord, SurvivorId), "Marguerite Okonkwo", IsVolunteer: false);
    private readonly Actor _volunteer = new(new Address(Platform.Slack, VolunteerId), "Vol Slack", IsVolunteer: true);

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task Invariant_7_the_database_files_hold_no_survivor_or_volunteer_id_yet_the_bot_still_reaches_both()
    {
        var first = await _core.Bot.HandleAsync(Say.Dm(_survivor, "My counsellor kept texting me at night"), default);
        var named = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:name:", StringComparison.Ordinal));
        await _core.Bot.HandleAsync(Say.Press(_survivor, named.ActionId), default);
        var id = named.ActionId.Split(':')[2];
        // Slack's fallback event id for a button without trigger_id is built from the user id.
        var press = new ActionInvoked(_volunteer, $"slack:action:{VolunteerId}:1732357200.000100", $"claim:{id}", []);
        var claim = await _core.Bot.HandleAsync(press, default);
        Assert.Empty(await _core.Bot.HandleAsync(press, default));
        await _core.Bot.HandleAsync(Say.Command(_volunteer, "note", "prefers mornings"), default);
        var toSurvivor = await _core.Bot.HandleAsync(Say.Dm(_volunteer, "I'm here and reading"), default);
        var toVolunteer = await _core.Bot.HandleAsync(Say.Dm(_survivor, "thank you for answering"), default);
        var guide = (await _core.Bot.HandleAsync(Say.Command(_volunteer, "complaint", "psychologist", "uk"), default)).Single();
        await _core.Bot.HandleAsync(Say.Press(_volunteer, guide.Choices().Single(c => c.ActionId == "companion:start").ActionId), default);

        Assert.Contains("My counsellor kept texting me", claim.DmTo(_volunteer).Text(), StringComparison.Ordinal);
        Assert.Contains("I'm here and reading", toSurvivor.DmTo(_survivor).Text(), StringComparison.Ordinal);
        Assert.Contains("thank you for answering", toVolunteer.DmTo(_volunteer).Text(), StringComparison.Ordinal);
        Assert.NotNull(await _core.Get<DraftStore>().GetAsync(_volunteer.Address, default));

        Assert.Contains("Ignored a repeated Slack event", _core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(SurvivorId, _core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(VolunteerId, _core.Logs.AllText, StringComparison.Ordinal);

        // Read while the bot still runs (the WAL holds the recent writes), then again after it closed the files.
        foreach (var bytes in new[] { RawFiles.ReadDatabase(_core.DatabasePath), CloseAndRead() })
        {
            Assert.True(bytes.Length > 0);
            foreach (var secret in new[] { SurvivorId, VolunteerId, "Okonkwo" })
            {
                Assert.Equal(0, RawFiles.Count(bytes, secret));
            }
        }
    }

    private byte[] CloseAndRead()
    {
        _core.Services.Dispose();
        Database.CloseAll();
        return RawFiles.ReadDatabase(_core.DatabasePath);
    }

    [Theory]
    [InlineData("Discord:918273645546372819")]
    [InlineData("slack:action:U07QZXWVB3K:1732357200.000100")]
    [InlineData("Console:zoë ✓")]
    [InlineData(null)]
    public void A_key_is_still_the_form_earlier_releases_stored_so_their_rows_are_found(string? identifier)
    {
        // Longer than the stack buffer too: a Slack payload's fallback id can be long.
        identifier ??= "Slack:" + new string('é', 300);
        using var cipher = new MessageCipher(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var earlierForm = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
                cipher.DeriveKey("person-id"), System.Text.Encoding.UTF8.GetBytes(identifier)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(earlierForm, new PersonIds(cipher).Key(identifier));
    }
}
