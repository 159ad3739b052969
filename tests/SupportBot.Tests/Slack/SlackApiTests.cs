using System.Text.Json;
using SupportBot.Tests.Support;
using SupportBot.Core;
using SupportBot.Slack;
using SupportBot.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace SupportBot.Tests.Slack;

public sealed class SlackApiTests
{
    [Fact]
    public async Task A_rate_limited_call_waits_for_Retry_After_then_succeeds()
    {
        await using var host = await SlackTestHost.StartAsync();
        host.Slack.RateLimitNext("chat.postMessage", 1);

        await host.Sender.SendAsync(Reply.ToVolunteers(new TextBlock("Conversation #1 is waiting.")), CancellationToken.None);

        var calls = host.Slack.CallsTo("chat.postMessage");
        Assert.Equal(2, calls.Count);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromSeconds(0.9), "the retry waited for Retry-After");
        Assert.All(calls, c => Assert.Equal("Bearer " + FakeSlack.BotToken, c.Authorization));
    }

    [Fact]
    public async Task A_stored_reply_taken_over_after_a_kill_is_not_posted_again_to_a_dm_that_holds_it_already()
    {
        await using var host = await SlackTestHost.StartAsync();
        var reply = Reply.DirectTo(new Address(Platform.Slack, "U0WREN"), new TextBlock("Added. The volunteer will see it when they join.")) with { Nonce = "0123456789ABCDEF" };
        var other = reply with { Nonce = "FEDCBA9876543210" };

        // The first process posted it, then was killed before its outbox row was deleted; another process takes the row.
        await host.Sender.SendAsync(reply, CancellationToken.None);
        await host.Sender.SendAsync(reply with { TakenOver = true }, CancellationToken.None);
        // A reply taken over that never reached Slack (killed before the send) is posted.
        await host.Sender.SendAsync(other with { TakenOver = true }, CancellationToken.None);

        var posts = host.Slack.CallsTo("chat.postMessage");
        Assert.Equal(["0123456789ABCDEF-0", "FEDCBA9876543210-0"], posts.Select(c => c.Args["metadata"]?["event_payload"]?["nonce"]?.ToString()));
        Assert.Equal(2, host.Slack.CallsTo("conversations.history").Count);
    }

    [Fact]
    public async Task A_volunteer_notice_taken_over_after_a_kill_is_not_posted_again_to_the_channel_that_holds_it_already()
    {
        await using var host = await SlackTestHost.StartAsync();
        var notice = Reply.ToVolunteers(new TextBlock("#1 was claimed by vic.")) with { Nonce = "0123456789ABCDEF" };
        var other = Reply.ToVolunteers(new TextBlock("#2 is closed.")) with { Nonce = "FEDCBA9876543210" };

        // Posted by the process that was then killed before its outbox row was deleted; another process takes the row.
        await host.Sender.SendAsync(notice, CancellationToken.None);
        await host.Sender.SendAsync(notice with { TakenOver = true }, CancellationToken.None);
        // One that never reached Slack is posted.
        await host.Sender.SendAsync(other with { TakenOver = true }, CancellationToken.None);

        var posts = host.Slack.CallsTo("chat.postMessage");
        Assert.All(posts, p => Assert.Equal(SlackTestHost.VolunteerChannel, p.Args["channel"]?.ToString()));
        Assert.Equal(["0123456789ABCDEF-0", "FEDCBA9876543210-0"], posts.Select(c => c.Args["metadata"]?["event_payload"]?["nonce"]?.ToString()));
        Assert.All(host.Slack.CallsTo("conversations.history"), c => Assert.Equal(SlackTestHost.VolunteerChannel, c.Args["channel"]?.ToString()));
    }

    [Fact]
    public async Task A_volunteer_notice_taken_over_is_posted_when_the_channel_cannot_be_read()
    {
        await using var host = await SlackTestHost.StartAsync();
        var notice = Reply.ToVolunteers(new TextBlock("#1 was claimed by vic.")) with { Nonce = "0123456789ABCDEF" };
        await host.Sender.SendAsync(notice, CancellationToken.None);
        // Without the channel's history scope Slack refuses the read: the notice may come twice, never not at all.
        host.Slack.RefuseNext("conversations.history", "missing_scope");

        await host.Sender.SendAsync(notice with { TakenOver = true }, CancellationToken.None);

        Assert.Equal(2, host.Slack.CallsTo("chat.postMessage").Count);
    }

    [Fact]
    public async Task A_server_error_is_retried_with_backoff()
    {
        await using var host = await SlackTestHost.StartAsync();
        host.Slack.FailNext("chat.postMessage");

        await host.Sender.SendAsync(Reply.ToVolunteers(new TextBlock("Conversation #2 is waiting.")), CancellationToken.None);

        Assert.Equal(2, host.Slack.CallsTo("chat.postMessage").Count);
    }

    [Fact]
    public async Task An_ok_false_answer_becomes_a_clear_error_naming_the_method_and_code()
    {
        await using var host = await SlackTestHost.StartAsync();
        host.Slack.RefuseNext("chat.postMessage", "channel_not_found");

        var error = await Assert.ThrowsAsync<SlackApiException>(() =>
            host.Sender.SendAsync(Reply.ToVolunteers(new TextBlock("Conversation #3 is waiting.")), CancellationToken.None));

        Assert.Equal("channel_not_found", error.Error);
        Assert.Contains("chat.postMessage", error.Message, StringComparison.Ordinal);
        Assert.Single(host.Slack.CallsTo("chat.postMessage"));
        Assert.DoesNotContain(FakeSlack.BotToken, host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_is_not_JSON_becomes_an_error_whose_code_is_short_and_whose_message_names_the_method()
    {
        await using var host = await SlackTestHost.StartAsync();
        host.Slack.AnswerNextWithHtml("chat.postMessage");

        var error = await Assert.ThrowsAsync<SlackApiException>(() =>
            host.Sender.SendAsync(Reply.ToVolunteers(new TextBlock("Conversation #4 is waiting.")), CancellationToken.None));

        // Error is logged as a code, so it must be one, not a sentence.
        Assert.Equal("invalid_json", error.Error);
        Assert.Equal("chat.postMessage", error.Method);
        Assert.Contains("chat.postMessage", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(error.InnerException);
    }

    [Fact]
    public async Task Members_of_the_volunteer_user_group_are_volunteers_and_the_lookup_is_cached()
    {
        await using var host = await SlackTestHost.StartAsync(configure: s =>
            s.PostConfigure<SlackOptions>(o => o.VolunteerUserGroupId = "SVOLS"));
        host.Slack.UserGroupMembers.Add("UGROUPVOL");

        var volunteers = host.Services.GetRequiredService<SlackVolunteers>();
        Assert.True(await volunteers.IsVolunteerAsync("UGROUPVOL", CancellationToken.None));
        Assert.True(await volunteers.IsVolunteerAsync(SlackTestHost.Volunteer, CancellationToken.None));
        Assert.False(await volunteers.IsVolunteerAsync("UMEMBER", CancellationToken.None));
        Assert.Single(host.Slack.CallsTo("usergroups.users.list"));
        Assert.Equal("SVOLS", host.Slack.CallsTo("usergroups.users.list")[0].Args["usergroup"]?.GetValue<string>());
    }

    [SharedFixtureFact]
    public void The_signature_matches_Slacks_published_test_vector()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedFixtureFactAttribute.Path("slack", "CONSTRUCTED.request_signing_v0.test_vector.json")));
        var v = doc.RootElement;
        var secret = v.GetProperty("signing_secret").GetString()!;
        var ts = v.GetProperty("x_slack_request_timestamp").GetString()!;
        var body = System.Text.Encoding.UTF8.GetBytes(v.GetProperty("raw_body").GetString()!);
        var expected = v.GetProperty("x_slack_signature").GetString()!;
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(ts, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, SlackSignature.Compute(secret, ts, body));
        Assert.True(SlackSignature.IsValid(secret, ts, expected, body, sentAt.AddMinutes(4)));
        Assert.False(SlackSignature.IsValid(secret, ts, expected, body, sentAt.AddMinutes(6)));
        Assert.False(SlackSignature.IsValid(secret, ts, expected.Replace('a', 'b'), body, sentAt));
    }
}
