using System.Text.Json.Nodes;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Slack;
using SupportBot.Slack.Wire;
using SupportBot.Tests.Discord;
using SupportBot.Tests.Slack;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Toolkit;

/// <summary>Issue 13 item 8: volunteer commands hidden from members on Discord, numbers as numbers, a Slack command prefix.</summary>
public sealed class PlatformDetailsTests
{
    [Fact]
    public async Task Discord_registers_volunteer_commands_hidden_from_members_and_conversation_numbers_as_integers_from_one()
    {
        await using var rig = await DiscordRig.StartAsync();

        var put = await rig.Fake.WaitForCallAsync("PUT", $"/applications/{DiscordRig.ApplicationId}/guilds/{DiscordRig.GuildId}/commands");
        var commands = put.Json!.AsArray().Select(c => c!.AsObject()).ToDictionary(c => c["name"]!.GetValue<string>());

        foreach (var spec in rig.Core.Bot.Commands)
        {
            var permissions = commands[spec.Name]["default_member_permissions"];
            Assert.Equal(spec.ForVolunteers ? "0" : null, permissions?.GetValue<string>());
        }

        foreach (var name in new[] { "claim", "release" })
        {
            var number = commands[name]["options"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "number")!;
            Assert.Equal(4, number["type"]!.GetValue<int>());
            Assert.Equal(1, number["min_value"]!.GetValue<long>());
        }

        Assert.Null(commands["redflags"]["options"]![0]!["min_value"]);
    }

    [Fact]
    public async Task Discord_claim_with_an_integer_option_claims_that_conversation()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        var id = await rig.Core.Bot.QueueDisclosureAsync(Say.Member("alice"), "I need to talk about my coach");

        var interaction = DiscordRig.NextId();
        var command = DiscordRig.Command(interaction, DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId), "claim");
        command["data"]!["options"] = new JsonArray(new JsonObject { ["name"] = "number", ["type"] = 4, ["value"] = id });
        await rig.Fake.DispatchAsync("INTERACTION_CREATE", command);

        var answer = (await rig.Fake.WaitForCallAsync("POST", $"/interactions/{interaction}/")).Json!["data"]!["content"]!.GetValue<string>();
        Assert.Contains($"#{id}", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Core.Content.Messages.NotWaiting[..10], answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_commands_run_under_the_configured_prefix()
    {
        await using var host = await SlackTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Slack:CommandPrefix"] = "sb-" });

        var queue = await SlackToolkit.RunAsync(host, SlackTestHost.Volunteer, "/sb-queue");
        var help = await SlackToolkit.RunAsync(host, "UMEMBER", "/sb-help");

        Assert.Contains(SlackRenderer.Escape(host.Content.Messages.QueueEmpty), queue.Text(), StringComparison.Ordinal);
        Assert.Contains(SlackRenderer.Escape(host.Content.Messages.HelpHeading), help.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_slack_prefix_is_taken_off_only_when_it_is_there()
    {
        IReadOnlyList<CommandSpec> commands = [new CommandSpec("claim", "Take one", [new CommandOption("number", "n", Kind: OptionKind.Number)])];
        var actor = new Actor(new Address(Platform.Slack, "U1"), "u", IsVolunteer: true);

        var prefixed = SlackInbound.ToSlashCommand(new SlashPayload("/sb-claim", "3", "U1", "u", "C1", null, "t1"), actor, commands, "sb-");
        var plain = SlackInbound.ToSlashCommand(new SlashPayload("/claim", "3", "U1", "u", "C1", null, "t2"), actor, commands, "sb-");
        var unprefixed = SlackInbound.ToSlashCommand(new SlashPayload("/sb-claim", "3", "U1", "u", "C1", null, "t3"), actor, commands);

        Assert.Equal(("claim", "3"), (prefixed.Name, prefixed.Args[0]));
        Assert.Equal("claim", plain.Name);
        Assert.Equal("sb-claim", unprefixed.Name);
    }
}
