using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SupportBot.Discord;
using SupportBot.Tests.Discord;

namespace SupportBot.Tests.Toolkit;

/// <summary>Issue 13 through the fake Discord: block by number, coordinators by role, stats, transfer with a person option and DM buttons.</summary>
public sealed class DiscordToolkitTests
{
    private const string CoordinatorRoleId = "600000000000000002";

    [Fact]
    public async Task A_volunteer_blocks_by_number_the_person_gets_one_calm_answer_and_a_coordinator_lists_and_reads_stats()
    {
        await using var rig = await DiscordRig.StartAsync(
            f =>
            {
                f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId];
                f.MemberRoles["303"] = [CoordinatorRoleId];
            },
            settings: s => s["Discord:CoordinatorRoleId"] = CoordinatorRoleId);
        var fake = rig.Fake;
        var messages = rig.Core.Content.Messages;
        var id = await QueueAsync(rig, "111", "My pastor Lichen said our talks must stay secret");

        var block = await CommandAsync(rig, DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId), "block",
            new JsonObject { ["name"] = "number", ["type"] = 4, ["value"] = id },
            new JsonObject { ["name"] = "duration", ["type"] = 3, ["value"] = "1d" });
        Assert.Contains("blocked until", block, StringComparison.Ordinal);

        var before = fake.CallsTo("POST", "/channels/dm-111/messages").Count;
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "sam", "hello?"));
        var notice = await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", count: before + 1, seconds: 15);
        Assert.Contains(messages.BlockedNotice, notice.Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);

        var coordinator = DiscordRig.Member("303", "cora", CoordinatorRoleId);
        var list = await CommandAsync(rig, coordinator, "blocks");
        Assert.Contains($"#{id}", list, StringComparison.Ordinal);
        var stats = await CommandAsync(rig, coordinator, "stats");
        Assert.Contains("- blocked: 1", stats, StringComparison.Ordinal);
        Assert.Equal(messages.NotCoordinator, await CommandAsync(rig, DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId), "stats"));

        Assert.DoesNotContain(fake.Calls, c => c.Body.Contains("Lichen", StringComparison.Ordinal));
        Assert.DoesNotContain("Lichen", rig.Core.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transfer_names_a_volunteer_by_the_person_option_and_they_accept_with_a_button_in_their_dm()
    {
        await using var rig = await DiscordRig.StartAsync(f =>
        {
            f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId];
            f.MemberRoles["404"] = [DiscordRig.VolunteerRoleId];
        });
        var fake = rig.Fake;
        var id = await QueueAsync(rig, "112", "My trainer Quillwort keeps texting me");
        var vic = DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId);
        await CommandAsync(rig, vic, "claim", new JsonObject { ["name"] = "number", ["type"] = 4, ["value"] = id });

        var asked = await CommandAsync(rig, vic, "transfer",
            new JsonObject { ["name"] = "number", ["type"] = 4, ["value"] = id },
            new JsonObject { ["name"] = "volunteer", ["type"] = 6, ["value"] = "404" });
        Assert.Contains($"#{id}", asked, StringComparison.Ordinal);
        var offer = await fake.WaitForCallAsync("POST", "/channels/dm-404/messages", seconds: 15);
        Assert.DoesNotContain("Quillwort", offer.Body, StringComparison.Ordinal);
        Assert.Contains($"transfer:accept:{id}", offer.Body, StringComparison.Ordinal);

        var press = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(press, $"transfer:accept:{id}", null, DiscordRig.User("404", "wren")));
        await fake.WaitForCallAsync("POST", $"/interactions/{press}/", seconds: 15);
        await fake.WaitForCallAsync("POST", "/channels/dm-404/messages", c => c.Body.Contains("Quillwort", StringComparison.Ordinal), seconds: 15);
        await fake.WaitForCallAsync("POST", "/channels/dm-112/messages",
            c => c.Json!["content"]?.GetValue<string>()?.Contains(rig.Core.Content.Messages.NewVolunteerJoining, StringComparison.Ordinal) == true, seconds: 15);
        Assert.DoesNotContain(fake.Calls, c => c.Path.Contains(DiscordRig.VolunteerChannelId, StringComparison.Ordinal) && c.Body.Contains("Quillwort", StringComparison.Ordinal));
    }

    [Fact]
    public void A_coordinator_role_without_a_guild_stops_the_start_with_a_message_naming_the_key()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Discord:Token"] = DiscordRig.Token, ["Discord:ApplicationId"] = "1", ["Discord:CoordinatorRoleId"] = CoordinatorRoleId,
        };
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddDiscordAdapter();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DiscordOptions>>().Value);
        Assert.Contains("Discord:CoordinatorRoleId", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A survivor's DM and consent; the number from the volunteer-channel notice.</summary>
    private static async Task<long> QueueAsync(DiscordRig rig, string userId, string text)
    {
        var fake = rig.Fake;
        var notices = fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages").Count;
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), userId, "s" + userId, text));
        var consent = (await fake.WaitForCallAsync("POST", $"/channels/dm-{userId}/messages", seconds: 15)).Json!;
        var consentId = Ids(consent).First(i => i.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        var choose = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(choose, consentId, null, DiscordRig.User(userId, "s" + userId)));
        var notice = (await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", count: notices + 1, seconds: 15)).Json!;
        return long.Parse(consentId.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture) is var id && notice.ToJsonString().Contains($"claim:{id}", StringComparison.Ordinal)
            ? id
            : throw new Xunit.Sdk.XunitException("The notice is not for the conversation just queued.");
    }

    private static async Task<string> CommandAsync(DiscordRig rig, JsonObject member, string name, params JsonObject[] options)
    {
        var id = DiscordRig.NextId();
        var command = DiscordRig.Command(id, member, name);
        command["data"]!["options"] = new JsonArray(options.Select(o => (JsonNode)o).ToArray());
        await rig.Fake.DispatchAsync("INTERACTION_CREATE", command);
        return (await rig.Fake.WaitForCallAsync("POST", $"/interactions/{id}/", seconds: 15)).Json!["data"]!["content"]!.GetValue<string>();
    }

    private static IEnumerable<string> Ids(JsonNode message) =>
        (message["components"] as JsonArray ?? []).SelectMany(r => r!["components"] as JsonArray ?? []).Select(c => c!["custom_id"]?.GetValue<string>() ?? "");
}
