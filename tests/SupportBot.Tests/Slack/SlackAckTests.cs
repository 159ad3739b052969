using System.Diagnostics;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

public sealed class SlackAckTests
{
    [Fact]
    public async Task A_new_persons_slash_command_is_acked_with_its_answer_without_waiting_for_a_slow_users_info()
    {
        // Before: the display name was looked up (up to its one-second limit) before the command ran, so the ack waited for it.
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        await host.SentinelAsync("UWARM");
        slack.DelayNext("users.info", TimeSpan.FromSeconds(5));

        var clock = Stopwatch.StartNew();
        var ack = await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand("UNEWPERSON", "/help", "", "r-new")));
        var waited = clock.Elapsed;

        Assert.NotNull(ack.Payload);
        Assert.True(waited < TimeSpan.FromMilliseconds(900), $"the ack took {waited.TotalMilliseconds:F0} ms");
        await Eventually.TrueAsync(
            () => slack.CallsTo("users.info").Any(c => c.Args["user"]?.GetValue<string>() == "UNEWPERSON"), TimeSpan.FromSeconds(5), "the name lookup, after the ack");
    }
}
