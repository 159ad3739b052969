using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>
/// Discord's three-second deadline with a slow core. One test blocks a thread-pool thread on purpose, as the store
/// does; the collection keeps it apart from the heartbeat timing tests, which a starved pool would disturb.
/// </summary>
[Collection(DiscordGatewayTests.TimingCollection)]
public sealed class DiscordDeadlineTests
{
    [Fact]
    public async Task Every_interaction_is_answered_within_three_seconds_even_when_the_core_is_slow()
    {
        await using var rig = await DiscordRig.StartAsync(services: s =>
        {
            s.AddSingleton<IActionHandler, SlowHandler>();
            s.AddSingleton<ISlashCommand, SlowHandler>();
        });
        var fake = rig.Fake;
        var member = DiscordRig.Member("101", "alice");

        var press = DiscordRig.NextId();
        var sent = Stopwatch.GetTimestamp();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(press, "slow:1", member));
        var deferred = await fake.WaitForCallAsync("POST", $"/interactions/{press}/");
        Assert.True(Stopwatch.GetElapsedTime(sent, deferred.Timestamp) < TimeSpan.FromSeconds(3));
        Assert.Equal(6, deferred.Json!["type"]!.GetValue<int>());
        var followUp = await fake.WaitForCallAsync("POST", $"/webhooks/{DiscordRig.ApplicationId}/interaction-token-{press}");
        Assert.Equal(64, followUp.Json!["flags"]!.GetValue<int>());
        Assert.Contains("done slowly", followUp.Body, StringComparison.Ordinal);

        var command = DiscordRig.NextId();
        sent = Stopwatch.GetTimestamp();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(command, member, "slow"));
        var thinking = await fake.WaitForCallAsync("POST", $"/interactions/{command}/");
        Assert.True(Stopwatch.GetElapsedTime(sent, thinking.Timestamp) < TimeSpan.FromSeconds(3));
        Assert.Equal(5, thinking.Json!["type"]!.GetValue<int>());
        Assert.Equal(64, thinking.Json!["data"]!["flags"]!.GetValue<int>());
        var edit = await fake.WaitForCallAsync("PATCH", $"/interaction-token-{command}/messages/@original");
        Assert.Contains("done slowly", edit.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_deferral_still_delivers_the_replies_for_others()
    {
        await using var rig = await DiscordRig.StartAsync(
            f => f.Respond = call => call.Path.StartsWith("/interactions/", StringComparison.Ordinal) ? new FakeResponse(500, "") : null,
            s => s.AddSingleton<IActionHandler, TellsSomeoneElseLateHandler>());

        await rig.Fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(DiscordRig.NextId(), "late:1", DiscordRig.Member("101", "alice")));

        await rig.Fake.WaitForCallAsync("POST", "/channels/dm-555/messages", seconds: 8);
        Assert.Contains(rig.Core.Logs.Lines, l => l.Contains("HTTP 500", StringComparison.Ordinal));
    }

    /// <summary>
    /// A handler that takes longer than Discord's deadline, as a slow disk or a locked database would. It blocks its
    /// thread, as Microsoft.Data.Sqlite's "async" calls do, so a deferral timer started after it would never fire in time.
    /// </summary>
    private sealed class SlowHandler : IActionHandler, ISlashCommand
    {
        public string Prefix => "slow";

        public CommandSpec Spec { get; } = new("slow", "Takes its time", []);

        public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
        {
            Thread.Sleep(TimeSpan.FromSeconds(2.6));
            return Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(action.Actor, new TextBlock("done slowly"))]);
        }

        public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
        {
            Thread.Sleep(TimeSpan.FromSeconds(2.6));
            return Task.FromResult<IReadOnlyList<Reply>>([Reply.Private(command.Actor, new TextBlock("done slowly"))]);
        }
    }

    /// <summary>Answers after the deferral is due (without blocking a thread) and tells another user too.</summary>
    private sealed class TellsSomeoneElseLateHandler : IActionHandler
    {
        public string Prefix => "late";

        public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
        {
            await Task.Delay(DiscordInteractionAnswer.DeferAfter + TimeSpan.FromMilliseconds(300), ct);
            return [Reply.Private(action.Actor, new TextBlock("done late")), Reply.DirectTo(new Address(Platform.Discord, "555"), new TextBlock("you are told"))];
        }
    }
}
