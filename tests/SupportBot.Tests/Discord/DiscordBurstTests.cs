using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SupportBot.Discord;
using SupportBot.Discord.Wire;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>A burst must not storm Discord: few connections reused, the global limit kept, interaction answers never held back.</summary>
public sealed class DiscordBurstTests : IAsyncLifetime
{
    private FakeDiscord _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeDiscord.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task A_burst_of_slow_interaction_answers_reuses_a_bounded_number_of_connections()
    {
        // Each answer takes 150 ms, so 300 at once would open 300 connections without a cap.
        _fake.Respond = call => call.Path.EndsWith("/callback", StringComparison.Ordinal)
            ? new FakeResponse(204, "", Delay: TimeSpan.FromMilliseconds(150))
            : null;
        using var api = Api(globalPerSecond: 50);

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            api.InteractionCallbackAsync($"{i}", $"token-{i}", new InteractionCallback(InteractionCallbackType.DeferredChannelMessageWithSource), CancellationToken.None)));

        Assert.Equal(300, _fake.CallsTo("POST", "/callback").Count);
        Assert.InRange(_fake.RestConnections, 1, 32);
        Assert.InRange(_fake.MaxConcurrentRequests, 1, 32);
    }

    [Fact]
    public async Task A_burst_of_messages_never_exceeds_the_global_rate_in_any_second_and_interactions_do_not_wait()
    {
        const int perSecond = 20;
        using var api = Api(globalPerSecond: perSecond);
        var started = Stopwatch.GetTimestamp();

        var messages = Task.WhenAll(Enumerable.Range(0, 3 * perSecond).Select(i =>
            api.CreateMessageAsync($"channel-{i}", new MessageBody("hello"), CancellationToken.None)));
        await _fake.WaitForCallAsync("POST", "/messages", count: perSecond);
        var answer = Stopwatch.StartNew();
        await api.InteractionCallbackAsync("1", "token-1", new InteractionCallback(InteractionCallbackType.DeferredChannelMessageWithSource), CancellationToken.None);
        answer.Stop();
        await messages;

        var arrivals = _fake.CallsTo("POST", "/messages").Select(c => c.Timestamp).Order().ToArray();
        Assert.Equal(3 * perSecond, arrivals.Length);
        var busiestSecond = arrivals.Max(t => arrivals.Count(u => u >= t && u - t < Stopwatch.Frequency));
        Assert.InRange(busiestSecond, 1, perSecond);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromSeconds(2), "60 messages at 20/s take at least 2 s");
        Assert.True(answer.Elapsed < TimeSpan.FromMilliseconds(500), $"the interaction answer waited {answer.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Rate_limit_routes_stay_under_their_bound_after_messages_to_many_channels()
    {
        using var api = Api(globalPerSecond: 100_000);

        for (var i = 0; i < DiscordApi.MaxTrackedRoutes + 200; i++)
        {
            await api.CreateMessageAsync($"channel-{i}", new MessageBody("hello"), CancellationToken.None);
        }

        Assert.InRange(api.KnownRoutes, 1, DiscordApi.MaxTrackedRoutes);
    }

    private DiscordApi Api(int globalPerSecond) => new(
        Options.Create(new DiscordOptions
        {
            Token = DiscordRig.Token,
            ApplicationId = DiscordRig.ApplicationId,
            ApiBaseUrl = _fake.ApiBaseUrl,
            GlobalRequestsPerSecond = globalPerSecond,
        }),
        TimeProvider.System, NullLogger<DiscordApi>.Instance);
}
