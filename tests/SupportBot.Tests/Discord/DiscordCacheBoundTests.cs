using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>Caches keyed by person stay under their bound however many people write, and keep working past it.</summary>
public sealed class DiscordCacheBoundTests : IAsyncLifetime, IDisposable
{
    private const int Bound = 100;
    private const int People = 250;
    private FakeDiscord _fake = null!;
    private DiscordApi _api = null!;
    private IOptions<DiscordOptions> _options = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        _options = Options.Create(new DiscordOptions
        {
            Token = DiscordRig.Token,
            ApplicationId = DiscordRig.ApplicationId,
            ApiBaseUrl = _fake.ApiBaseUrl,
            GuildId = "700000000000000001",
            VolunteerRoleId = "600000000000000001",
            GlobalRequestsPerSecond = 100_000,
        });
        _api = new DiscordApi(_options, TimeProvider.System, NullLogger<DiscordApi>.Instance);
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Dm_channels_stay_under_their_bound_and_every_person_still_gets_their_message()
    {
        var sender = new DiscordSender(_api, _options, NullLogger<DiscordSender>.Instance) { MaxDmChannels = Bound };

        for (var i = 0; i < People; i++)
        {
            var user = new Address(Platform.Discord, $"{100_000 + i}");
            await sender.SendAsync(new Reply(new Audience.Direct(user), [new TextBlock("hello")]), CancellationToken.None);
            Assert.InRange(sender.RememberedDmChannels, 1, Bound);
        }

        Assert.Equal(People, _fake.CallsTo("POST", "/messages").Select(c => c.Path).Distinct().Count());
    }

    [Fact]
    public async Task The_people_who_wrote_last_are_answered_without_opening_their_dm_channel_again_past_the_bound()
    {
        var sender = new DiscordSender(_api, _options, NullLogger<DiscordSender>.Instance) { MaxDmChannels = Bound };
        // One more than twice the bound: a cache cleared whole when full would keep only the very last person.
        const int Wrote = (2 * Bound) + 1;
        for (var i = 0; i < Wrote; i++)
        {
            sender.RememberDmChannel($"{200_000 + i}", $"dm-{200_000 + i}");
        }

        for (var i = Wrote - (Bound / 2); i < Wrote; i++)
        {
            await sender.SendAsync(new Reply(new Audience.Direct(new Address(Platform.Discord, $"{200_000 + i}")), [new TextBlock("hello")]), CancellationToken.None);
        }

        Assert.InRange(sender.RememberedDmChannels, 1, Bound);
        Assert.Equal(Bound / 2, _fake.CallsTo("POST", "/messages").Count);
        Assert.Empty(_fake.CallsTo("POST", "/users/@me/channels"));
    }

    [Fact]
    public async Task A_burst_as_large_as_the_bound_is_answered_without_opening_any_dm_channel_again()
    {
        var sender = new DiscordSender(_api, _options, NullLogger<DiscordSender>.Instance) { MaxDmChannels = Bound };
        // Everyone writes before the first answer goes out, as in a burst of first DMs.
        for (var i = 0; i < Bound; i++)
        {
            sender.RememberDmChannel($"{300_000 + i}", $"dm-{300_000 + i}");
        }

        for (var i = 0; i < Bound; i++)
        {
            await sender.SendAsync(new Reply(new Audience.Direct(new Address(Platform.Discord, $"{300_000 + i}")), [new TextBlock("hello")]), CancellationToken.None);
        }

        Assert.Equal(Bound, _fake.CallsTo("POST", "/messages").Count);
        Assert.Empty(_fake.CallsTo("POST", "/users/@me/channels"));
    }

    [Fact]
    public async Task Looked_up_roles_stay_under_their_bound_and_answers_stay_right()
    {
        var volunteers = new DiscordVolunteers(_api, _options, TimeProvider.System, NullLogger<DiscordVolunteers>.Instance) { MaxCachedRoles = Bound };
        _fake.MemberRoles["100007"] = [_options.Value.VolunteerRoleId];

        for (var i = 0; i < People; i++)
        {
            var isVolunteer = await volunteers.IsVolunteerAsync($"{100_000 + i}", roles: null, CancellationToken.None);
            Assert.Equal(i == 7, isVolunteer);
            Assert.InRange(volunteers.CachedRoles, 1, Bound);
        }
    }
}
