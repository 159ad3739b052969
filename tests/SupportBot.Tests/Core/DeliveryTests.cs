using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

public sealed class DeliveryTests
{
    [Fact]
    public async Task One_persons_events_are_handled_one_at_a_time_and_different_people_in_parallel()
    {
        var probe = new ConcurrencyProbe();
        using var core = new CoreHarness(services => services.AddSingleton<IActionHandler>(probe));
        var alice = Say.Member("alice");

        // Platforms deliver bursts concurrently (Slack hands over every envelope at once).
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => core.Bot.HandleAsync(Say.Press(alice, "probe:x"), default))));
        Assert.Equal(1, probe.MostAtOnce);

        // Different people share a lock only by chance (one stripe in 64), so eight people never all wait in line.
        var people = Enumerable.Range(1, 8).Select(i => Say.Member($"person{i}")).ToList();
        await Task.WhenAll(people.Select(p => Task.Run(() => core.Bot.HandleAsync(Say.Press(p, "probe:x"), default))));
        Assert.True(probe.MostAtOnce >= 2, $"at most {probe.MostAtOnce} ran at once");
    }

    [Fact]
    public async Task A_failing_platform_does_not_stop_a_reply_to_the_others()
    {
        var broken = new RecordingAdapter(Platform.Discord, fail: true);
        var working = new RecordingAdapter(Platform.Slack, fail: false);
        var router = new ReplyRouter([broken, working], NullLogger<ReplyRouter>.Instance);

        var notice = await router.DeliverAsync(Reply.ToVolunteers(new TextBlock("#1 is waiting")), default);
        var direct = await router.DeliverAsync(Reply.DirectTo(new Address(Platform.Discord, "123"), new TextBlock("hello")), default);

        Assert.False(notice);
        Assert.False(direct);
        Assert.Single(working.Sent);
        Assert.Equal(2, broken.Attempts);
    }

    /// <summary>An action that takes a while and records how many ran at the same time.</summary>
    private sealed class ConcurrencyProbe : IActionHandler
    {
        private int _running;
        private int _most;

        public string Prefix => "probe";

        public int MostAtOnce => Volatile.Read(ref _most);

        public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref _running);
            int seen;
            while (now > (seen = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, seen) != seen)
            {
            }

            await Task.Delay(150, ct);
            Interlocked.Decrement(ref _running);
            return [];
        }
    }

    private sealed class RecordingAdapter(Platform platform, bool fail) : IChatAdapter
    {
        public Platform Platform => platform;

        public List<Reply> Sent { get; } = [];

        public int Attempts { get; private set; }

        public Task SendAsync(Reply reply, CancellationToken ct)
        {
            Attempts++;
            if (fail)
            {
                throw new HttpRequestException("403 Forbidden");
            }

            Sent.Add(reply);
            return Task.CompletedTask;
        }
    }
}
