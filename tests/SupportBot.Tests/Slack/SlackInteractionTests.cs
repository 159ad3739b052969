using System.Text.Json.Nodes;
using SupportBot.Core;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

public sealed class SlackInteractionTests
{
    [Fact]
    public async Task Choosing_a_theme_and_another_prompt_update_the_private_message_in_place()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        var theme = host.Content.Reflections[0];

        var ack = await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", host.SlashCommand("UMEMBER", "/reflect", "", "r1")));
        var select = ack.Payload!["blocks"]!.AsArray().SelectMany(b => b?["elements"] as JsonArray ?? [])
            .Single(e => e?["type"]?.GetValue<string>() == "static_select");
        Assert.Equal("reflect:pick", select!["action_id"]!.GetValue<string>());

        var pick = host.ButtonPress("UMEMBER", "reflect:pick", "C111", "r-pick");
        pick["actions"]![0]!["type"] = "static_select";
        pick["actions"]![0]!["selected_option"] = new JsonObject { ["value"] = theme.Key };
        await slack.SendEnvelopeAsync("interactive", pick);
        await Eventually.TrueAsync(() => slack.Responses.Any(r => r.Id == "r-pick"), TimeSpan.FromSeconds(10), "the prompt");
        var prompt = slack.Responses.First(r => r.Id == "r-pick").Body;
        Assert.True(prompt["replace_original"]?.GetValue<bool>());
        Assert.Equal("ephemeral", prompt["response_type"]?.GetValue<string>());
        var another = SlackTestHost.ActionIds(prompt).First(a => a.StartsWith("reflect:next:", StringComparison.Ordinal));

        await slack.SendEnvelopeAsync("interactive", host.ButtonPress("UMEMBER", another, "C111", "r-next"));
        await Eventually.TrueAsync(() => slack.Responses.Any(r => r.Id == "r-next"), TimeSpan.FromSeconds(10), "another prompt");
        Assert.True(slack.Responses.First(r => r.Id == "r-next").Body["replace_original"]?.GetValue<bool>());
        Assert.Empty(slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task A_private_answer_to_a_press_on_a_message_everyone_in_the_channel_sees_does_not_replace_that_message()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        var theme = host.Content.Reflections[0];

        // The same theme choice as above, but on a message that is not ephemeral in a channel.
        var pick = host.ButtonPress("UMEMBER", "reflect:pick", "C111", "r-public");
        pick["container"]!["is_ephemeral"] = false;
        pick["actions"]![0]!["type"] = "static_select";
        pick["actions"]![0]!["selected_option"] = new JsonObject { ["value"] = theme.Key };
        await slack.SendEnvelopeAsync("interactive", pick);
        await Eventually.TrueAsync(() => slack.Responses.Any(r => r.Id == "r-public"), TimeSpan.FromSeconds(10), "the prompt");

        var prompt = slack.Responses.First(r => r.Id == "r-public").Body;
        Assert.Equal("ephemeral", prompt["response_type"]?.GetValue<string>());
        Assert.Null(prompt["replace_original"]);
    }

    [Fact]
    public async Task Use_my_name_takes_the_name_the_person_shows_in_Slack_looked_up_once()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        slack.Profiles["UNAMED"] = ("Robin", "Robin Example");

        var notice = await ChooseOwnNameAsync(host, "UNAMED");

        Assert.Contains("Robin", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("unamed", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("UNAMED", notice, StringComparison.Ordinal);
        Assert.Single(slack.CallsTo("users.info"), c => c.Args["user"]?.GetValue<string>() == "UNAMED");
    }

    [Fact]
    public async Task Without_the_users_read_scope_use_my_name_falls_back_to_the_Slack_username()
    {
        await using var host = await SlackTestHost.StartAsync();
        host.Slack.RefuseNext("users.info", "missing_scope");

        var notice = await ChooseOwnNameAsync(host, "UNOSCOPE");

        Assert.Contains("unoscope", notice, StringComparison.Ordinal);
        Assert.Single(host.Slack.CallsTo("users.info"));
        Assert.Contains("missing_scope", host.Logs.AllText, StringComparison.Ordinal);
    }

    /// <summary>Writes to the bot as <paramref name="user"/>, presses "use my name" and returns the volunteer channel's notice.</summary>
    private static async Task<string> ChooseOwnNameAsync(SlackTestHost host, string user)
    {
        await host.Slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(user, "I need to talk about my coach", "Ev" + user));
        var welcome = await SlackSocketModeTests.PostedToAsync(host.Slack, "D" + user, 1);
        var ownName = SlackTestHost.ActionIds(welcome[0].Args).Single(a => a.StartsWith("consent:name:", StringComparison.Ordinal));
        await host.Slack.SendEnvelopeAsync("interactive", host.ButtonPress(user, ownName, "D" + user, "r-" + user));
        var notice = await SlackSocketModeTests.PostedToAsync(host.Slack, SlackTestHost.VolunteerChannel, 1);
        return notice[0].AllText;
    }

    [Fact]
    public async Task A_note_without_text_opens_a_modal_and_its_submission_is_saved()
    {
        await using var host = await SlackTestHost.StartAsync();
        var slack = host.Slack;
        var bot = host.Services.GetRequiredService<Bot>();
        var survivor = new Actor(new Address(Platform.Slack, "USURV"), "usurv", false);
        var volunteer = new Actor(new Address(Platform.Slack, SlackTestHost.Volunteer), "uvol", true);

        // Set the conversation up through the core directly; this test is about the modal.
        var welcome = await bot.HandleAsync(new DirectMessage(survivor, "setup-1", "I need to talk"), CancellationToken.None);
        var consent = welcome.SelectMany(r => r.Blocks).OfType<ButtonsBlock>().SelectMany(b => b.Buttons)
            .First(b => b.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal)).ActionId;
        await bot.HandleAsync(new ActionInvoked(survivor, "setup-2", consent, []), CancellationToken.None);
        await bot.HandleAsync(new SlashCommand(volunteer, "setup-3", "claim", []), CancellationToken.None);

        var command = host.SlashCommand(SlackTestHost.Volunteer, "/note", "", "r-note");
        await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("slash_commands", command), TimeSpan.FromSeconds(3));
        await Eventually.TrueAsync(() => slack.CallsTo("views.open").Count == 1, TimeSpan.FromSeconds(10), "views.open");
        var open = slack.CallsTo("views.open")[0].Args;
        Assert.Equal(command["trigger_id"]!.GetValue<string>(), open["trigger_id"]!.GetValue<string>());
        var view = open["view"]!;
        var formId = view["callback_id"]!.GetValue<string>();
        var field = view["blocks"]![0]!["block_id"]!.GetValue<string>();
        Assert.StartsWith("note:", formId, StringComparison.Ordinal);

        var submission = new JsonObject
        {
            ["type"] = "view_submission",
            ["user"] = new JsonObject { ["id"] = SlackTestHost.Volunteer, ["username"] = "uvol" },
            ["trigger_id"] = "trigger-submit",
            ["view"] = new JsonObject
            {
                ["id"] = "V1",
                ["type"] = "modal",
                ["callback_id"] = formId,
                ["state"] = new JsonObject
                {
                    ["values"] = new JsonObject
                    {
                        [field] = new JsonObject { [field] = new JsonObject { ["type"] = "plain_text_input", ["value"] = "Prefers evenings" } },
                    },
                },
            },
        };
        var ack = await slack.WaitForAckAsync(await slack.SendEnvelopeAsync("interactive", submission), TimeSpan.FromSeconds(3));
        Assert.Null(ack.Payload);

        // The confirmation reaches the volunteer privately, by DM: a modal submission has no response_url.
        var saved = await SlackSocketModeTests.PostedToAsync(slack, "D" + SlackTestHost.Volunteer, 1);
        Assert.Contains(formId.Split(':')[1], saved[^1].AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Prefers evenings", StringComparison.Ordinal));
    }
}
