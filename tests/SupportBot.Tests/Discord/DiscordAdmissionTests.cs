using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>
/// Admission control: while many interactions wait for the core, one more arriving is deferred at once, within
/// Discord's three seconds counted from its arrival, and then answered once; the ones before it keep their timer.
/// </summary>
[Collection(DiscordGatewayTests.TimingCollection)]
public sealed class DiscordAdmissionTests
{
    [Fact]
    public async Task A_backlogged_bot_defers_a_new_interaction_on_arrival_and_answers_every_one_exactly_once()
    {
        var gate = new GateHandler();
        await using var rig = await DiscordRig.StartAsync(services: s => s.AddSingleton<IActionHandler>(gate));
        var fake = rig.Fake;
        var waiting = DiscordInteractionResponder.DeferAtOnceWhenWaiting;
        var ids = Enumerable.Range(0, waiting + 3).Select(_ => DiscordRig.NextId()).ToList();

        for (var i = 0; i < waiting; i++)
        {
            await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(ids[i], "gate:1", DiscordRig.Member($"91{i:D4}", $"m{i}")));
        }

        await FakeDiscord.WaitAsync(() => gate.Waiting >= waiting ? "all waiting" : null, "the backlog at the core");
        var late = ids[^1];
        var sent = Stopwatch.GetTimestamp();
        for (var i = waiting; i < ids.Count; i++)
        {
            await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(ids[i], "gate:1", DiscordRig.Member($"91{i:D4}", $"m{i}")));
        }

        var deferred = await fake.WaitForCallAsync("POST", $"/interactions/{late}/");
        // The timer alone would have deferred it after two seconds.
        Assert.True(Stopwatch.GetElapsedTime(sent, deferred.Timestamp) < DiscordInteractionAnswer.DeferAfter * 0.75);
        Assert.Equal(6, deferred.Json!["type"]!.GetValue<int>());

        gate.Open();
        foreach (var id in ids)
        {
            await fake.WaitForCallAsync("POST", $"/interactions/{id}/");
        }

        for (var i = waiting; i < ids.Count; i++)
        {
            await fake.WaitForCallAsync("POST", $"/webhooks/{DiscordRig.ApplicationId}/interaction-token-{ids[i]}");
        }

        Assert.All(ids, id => Assert.Single(fake.CallsTo("POST", $"/interactions/{id}/")));
        Assert.All(ids[waiting..], id => Assert.Contains("let through", fake.CallsTo("POST", $"/webhooks/{DiscordRig.ApplicationId}/interaction-token-{id}")[0].Body, StringComparison.Ordinal));
    }

    /// <summary>Holds every press until the test opens it, without blocking a thread.</summary>
    private sealed class GateHandler : IActionHandler
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        public string Prefix => "gate";

        public bool ChangesState => false;

        public int Waiting => Volatile.Read(ref _waiting);

        public void Open() => _open.TrySetResult();

        public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
        {
            Interlocked.Increment(ref _waiting);
            await _open.Task.WaitAsync(ct);
            return [Reply.Private(action.Actor, new TextBlock("let through"))];
        }
    }
}
