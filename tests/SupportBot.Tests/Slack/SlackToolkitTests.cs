using System.Text.Json.Nodes;
using SupportBot.Core.Timing;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

/// <summary>Issue 13 through the Slack fake: snippets, the contact guard's buttons, the survivor's safeguard buttons and the timers.</summary>
public sealed class SlackToolkitTests
{
    private const string Survivor = "USURV";
    private const string Disclosure = "My yoga teacher Heronbill asked me to keep our lessons secret";

    [Fact]
    public async Task A_snippet_and_a_confirmed_held_message_reach_the_survivor_and_the_hold_shows_its_buttons()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        await QueueAndClaimAsync(host);
        var toSurvivor = Posted(slack, "D" + Survivor);

        await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand(SlackTestHost.Volunteer, "/snippet", "your-pace", "r-snippet"));
        var snippet = await SlackSocketModeTests.PostedToAsync(slack, "D" + Survivor, toSurvivor + 1);
        Assert.Contains(host.Content.Snippets.Find("your-pace")!.Text[^25..], snippet[^1].AllText, StringComparison.Ordinal);

        var toVolunteer = Posted(slack, "D" + SlackTestHost.Volunteer);
        await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(SlackTestHost.Volunteer, "my email is vic.helper@example.org", "EvGuard"));
        var held = await SlackSocketModeTests.PostedToAsync(slack, "D" + SlackTestHost.Volunteer, toVolunteer + 1);
        var send = SlackTestHost.ActionIds(held[^1].Args).Single(a => a.StartsWith("guard:send:", StringComparison.Ordinal));
        Assert.Contains(host.Content.Messages.GuardReasonEmail, held[^1].AllText, StringComparison.Ordinal);
        await host.SentinelAsync(SlackTestHost.Volunteer);
        Assert.Equal(toSurvivor + 1, Posted(slack, "D" + Survivor)); // held: nothing more reached the survivor

        await slack.SendEnvelopeAsync("interactive", host.ButtonPress(SlackTestHost.Volunteer, send, "D" + SlackTestHost.Volunteer, "r-send"));
        var sent = await SlackSocketModeTests.PostedToAsync(slack, "D" + Survivor, toSurvivor + 2);
        Assert.Contains("vic.helper@example.org", sent[^1].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("vic.helper", host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Affiliations_keep_a_named_community_from_the_volunteers_queue_and_keep_nothing_is_offered_at_consent()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        var added = await AnswerAsync(host, "slash_commands", host.SlashCommand(SlackTestHost.Volunteer, "/affiliations", "add Heronbill Studio", "r-aff"), "r-aff");
        Assert.Contains("Heronbill Studio", added.ToJsonString(), StringComparison.Ordinal);

        var queued = await QueueAsync(host);
        var buttons = SlackTestHost.ActionIds(queued);
        Assert.Contains(buttons, a => a.StartsWith("safeguard:keep:", StringComparison.Ordinal));
        var community = buttons.Single(a => a.StartsWith("safeguard:community:", StringComparison.Ordinal));
        var id = community.Split(':')[2];

        // The button opens a modal; its submission carries the name, which is stored only as a keyed hash.
        await slack.SendEnvelopeAsync("interactive", host.ButtonPress(Survivor, community, "D" + Survivor, "r-community"));
        await Eventually.TrueAsync(() => slack.CallsTo("views.open").Count == 1, TimeSpan.FromSeconds(10), "views.open");
        var view = slack.CallsTo("views.open")[0].Args["view"]!;
        var field = view["blocks"]![0]!["block_id"]!.GetValue<string>();
        var submission = new JsonObject
        {
            ["type"] = "view_submission",
            ["user"] = new JsonObject { ["id"] = Survivor, ["username"] = "usurv" },
            ["trigger_id"] = "trigger-submit",
            ["view"] = new JsonObject
            {
                ["id"] = "V1",
                ["type"] = "modal",
                ["callback_id"] = view["callback_id"]!.GetValue<string>(),
                ["state"] = new JsonObject
                {
                    ["values"] = new JsonObject
                    {
                        [field] = new JsonObject { [field] = new JsonObject { ["type"] = "plain_text_input", ["value"] = "heronbill studio" } },
                    },
                },
            },
        };
        var toSurvivor = Posted(slack, "D" + Survivor);
        await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("interactive", submission), TimeSpan.FromSeconds(3));
        var saved = await SlackSocketModeTests.PostedToAsync(slack, "D" + Survivor, toSurvivor + 1);
        Assert.Contains(host.Content.Messages.CommunitySaved[..20], saved[^1].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("heronbill studio", host.Logs.AllText, StringComparison.OrdinalIgnoreCase);

        var refusal = await AnswerAsync(host, "slash_commands", host.SlashCommand(SlackTestHost.Volunteer, "/claim", id, "r-claim"), "r-claim");
        Assert.Contains("names a community or person you declared", refusal.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conversation_waiting_too_long_is_announced_again_in_the_volunteer_channel_without_its_words()
    {
        await using var host = await SlackTestHost.StartAsync();
        await QueueAsync(host);
        var before = Posted(host.Slack, SlackTestHost.VolunteerChannel);

        host.Core.Clock.Advance(TimeSpan.FromMinutes(45));
        await host.Core.Get<SupportTimers>().RunOnceAsync(default);

        var posts = await SlackSocketModeTests.PostedToAsync(host.Slack, SlackTestHost.VolunteerChannel, before + 1);
        Assert.Contains("45 min", posts[^1].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Heronbill", posts[^1].AllText, StringComparison.Ordinal);
        Assert.Contains(SlackTestHost.ActionIds(posts[^1].Args), a => a.StartsWith("claim:", StringComparison.Ordinal));
    }

    /// <summary>The survivor writes and consents; returns the answer that puts them in line (its buttons included).</summary>
    private static async Task<JsonObject> QueueAsync(SlackTestHost host)
    {
        await host.Slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(Survivor, Disclosure, "Ev-" + Guid.NewGuid().ToString("N")));
        var welcome = await SlackSocketModeTests.PostedToAsync(host.Slack, "D" + Survivor, 1);
        var consent = SlackTestHost.ActionIds(welcome[0].Args).Single(a => a.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        // A press in the DM is answered in the DM: it is private already, and an ephemeral answer there would not last.
        await host.Slack.SendEnvelopeAsync("interactive", host.ButtonPress(Survivor, consent, "D" + Survivor, "r-consent"));
        var queued = await SlackSocketModeTests.PostedToAsync(host.Slack, "D" + Survivor, 2);
        await SlackSocketModeTests.PostedToAsync(host.Slack, SlackTestHost.VolunteerChannel, 1);
        return queued[1].Args;
    }

    /// <summary>The private answer to an envelope: in its ack when fast, else posted to its response_url.</summary>
    private static async Task<JsonObject> AnswerAsync(SlackTestHost host, string type, JsonObject payload, string responseId)
    {
        var ack = await host.Slack.WaitForAckAsync(await host.Slack.SendEnvelopeAsync(type, payload), TimeSpan.FromSeconds(10));
        if (ack.Payload is { } inAck)
        {
            return inAck;
        }

        await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == responseId), TimeSpan.FromSeconds(10), "the answer to " + responseId);
        return host.Slack.Responses.First(r => r.Id == responseId).Body;
    }

    private static async Task QueueAndClaimAsync(SlackTestHost host)
    {
        await QueueAsync(host);
        await host.Slack.SendEnvelopeAsync("slash_commands", host.SlashCommand(SlackTestHost.Volunteer, "/claim", "", "r-claim"));
        await SlackSocketModeTests.PostedToAsync(host.Slack, "D" + SlackTestHost.Volunteer, 1);
        await host.SentinelAsync(SlackTestHost.Volunteer);
    }

    private static int Posted(FakeSlack slack, string channel) =>
        slack.CallsTo("chat.postMessage").Count(c => c.Args["channel"]?.GetValue<string>() == channel);
}
