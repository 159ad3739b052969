using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

public sealed class SlackAckTests
{
    [Fact]
    public async Task A_new_volunteers_slash_command_is_acked_with_its_answer_without_waiting_for_a_slow_users_info()
    {
        // Before: the display name was looked up (up to its one-second limit) before the command ran, so the ack waited for it.
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        await host.SentinelAsync("UWARM");
        slack.DelayNext("users.info", TimeSpan.FromSeconds(5));

        var clock = Stopwatch.StartNew();
        var ack = await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand(SlackTestHost.Volunteer, "/help", "", "r-new")));
        var waited = clock.Elapsed;

        Assert.NotNull(ack.Payload);
        Assert.True(waited < TimeSpan.FromMilliseconds(900), $"the ack took {waited.TotalMilliseconds:F0} ms");
        await Eventually.TrueAsync(
            () => slack.CallsTo("users.info").Any(c => c.Args["user"]?.GetValue<string>() == SlackTestHost.Volunteer), TimeSpan.FromSeconds(5),
            "the volunteer's name lookup, after the ack");
    }

    [Fact]
    public async Task A_crowd_running_help_costs_no_users_info_calls()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        var people = Enumerable.Range(0, 20).Select(i => $"UCROWD{i:D2}").ToList();
        foreach (var person in people)
        {
            Assert.NotNull((await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand(person, "/help", "", $"r-{person}")))).Payload);
        }

        // The sentinel: a volunteer's lookup, started after all twenty, has arrived; none of theirs did.
        Assert.NotNull((await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand(SlackTestHost.Volunteer, "/help", "", "r-vol")))).Payload);
        await Eventually.TrueAsync(
            () => slack.CallsTo("users.info").Any(c => c.Args["user"]?.GetValue<string>() == SlackTestHost.Volunteer), TimeSpan.FromSeconds(5), "the volunteer's lookup");
        Assert.DoesNotContain(slack.CallsTo("users.info"), c => people.Contains(c.Args["user"]?.GetValue<string>() ?? ""));
    }

    [Fact]
    public async Task Help_is_answered_in_its_ack_while_the_database_is_locked_because_it_touches_no_disk()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand("UWARM", "/end", "", "r-warm")));

        await using var blocker = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        await blocker.OpenAsync();
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }

        var ack = await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand("ULOCKED", "/help", "", "r-locked")));

        Assert.NotNull(ack.Payload);
        Assert.Equal("ephemeral", ack.Payload["response_type"]?.GetValue<string>());
    }
}
