using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>
/// A reply stored in the outbox carries a nonce of its own, and every message the bot creates sends a nonce with
/// enforce_nonce: Discord then returns the message it made the first time instead of creating another, for a few
/// minutes. So a reply sent again after a kill (between the send and the outbox row's delete) shows once. The fake
/// drops such repeats as Discord does, and refuses a nonce Discord would refuse.
/// </summary>
public sealed class DiscordNonceTests : IAsyncLifetime, IDisposable
{
    private static readonly Address Wren = new(Platform.Discord, "720000000000000031");
    private FakeDiscord _fake = null!;
    private DiscordApi _api = null!;
    private DiscordSender _sender = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        var options = Options.Create(new DiscordOptions
        {
            Token = DiscordRig.Token,
            ApplicationId = DiscordRig.ApplicationId,
            ApiBaseUrl = _fake.ApiBaseUrl,
            GlobalRequestsPerSecond = 100_000,
        });
        _api = new DiscordApi(options, TimeProvider.System, NullLogger<DiscordApi>.Instance);
        _sender = new DiscordSender(_api, options, NullLogger<DiscordSender>.Instance);
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task A_stored_reply_sent_again_after_a_kill_shows_once()
    {
        var stored = Reply.DirectTo(Wren, new TextBlock("Added. The volunteer will see it when they join.")) with { Nonce = "0123456789ABCDEF" };

        await _sender.SendAsync(stored, CancellationToken.None);
        await _sender.SendAsync(stored with { TakenOver = true }, CancellationToken.None);

        var posts = _fake.CallsTo("POST", $"/channels/dm-{Wren.UserId}/messages");
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal("0123456789ABCDEF-0", p.Json!["nonce"]!.ToString()));
        Assert.All(posts, p => Assert.True(p.Json!["enforce_nonce"]!.GetValue<bool>()));
        Assert.Equal([false, true], posts.Select(p => p.Deduplicated));
        Assert.Empty(_fake.Refusals);
    }

    [Fact]
    public async Task Two_replies_with_the_same_words_are_two_messages()
    {
        var thanks = Reply.DirectTo(Wren, new TextBlock("Thank you for telling me."));

        await _sender.SendAsync(thanks, CancellationToken.None);
        await _sender.SendAsync(thanks, CancellationToken.None);

        Assert.Equal([false, false], _fake.CallsTo("POST", $"/channels/dm-{Wren.UserId}/messages").Select(p => p.Deduplicated));
    }

    [Fact]
    public async Task A_repeat_after_discords_memory_of_the_nonce_is_a_new_message()
    {
        _fake.NonceMemory = TimeSpan.Zero;
        var stored = Reply.DirectTo(Wren, new TextBlock("Added.")) with { Nonce = "00000000000000AA" };

        await _sender.SendAsync(stored, CancellationToken.None);
        await _sender.SendAsync(stored, CancellationToken.None);

        Assert.Equal([false, false], _fake.CallsTo("POST", $"/channels/dm-{Wren.UserId}/messages").Select(p => p.Deduplicated));
    }

    [Fact]
    public async Task The_fake_refuses_a_nonce_longer_than_25_characters_as_discord_does()
    {
        var tooLong = Reply.DirectTo(Wren, new TextBlock("Added.")) with { Nonce = new string('A', 24) };

        await Assert.ThrowsAsync<DiscordApiException>(() => _sender.SendAsync(tooLong, CancellationToken.None));

        Assert.Contains(_fake.Refusals, r => r.StartsWith("50035:", StringComparison.Ordinal));
    }
}
