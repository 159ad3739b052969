using System.Text.Json.Nodes;
using SupportBot.Core.Timing;

namespace SupportBot.Tests.Discord;

/// <summary>Issue 13 through the Discord fake: snippets, the contact guard's buttons, affiliations, keep-nothing and the timers.</summary>
public sealed class DiscordToolkitTests
{
    private const string Disclosure = "My meditation teacher Kestrelwing asked me to visit him alone";

    [Fact]
    public async Task Snippet_is_registered_with_its_names_as_choices_and_sends_to_the_survivor()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        var fake = rig.Fake;
        var put = await fake.WaitForCallAsync("PUT", $"/applications/{DiscordRig.ApplicationId}/guilds/{DiscordRig.GuildId}/commands");
        var snippet = put.Json!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "snippet")!;
        Assert.Contains(snippet["options"]![0]!["choices"]!.AsArray(), c => c!["value"]!.GetValue<string>() == "hello");
        Assert.Contains(put.Json!.AsArray(), c => c!["name"]!.GetValue<string>() == "affiliations");
        Assert.Contains(put.Json!.AsArray(), c => c!["name"]!.GetValue<string>() == "confirm");

        var volunteer = await QueueAndClaimAsync(rig);
        var before = fake.CallsTo("POST", "/channels/dm-111/messages").Count;
        var command = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(command, volunteer, "snippet", ("name", "your-pace")));

        Assert.Equal(64, (await fake.WaitForCallAsync("POST", $"/interactions/{command}/")).Json!["data"]!["flags"]!.GetValue<int>());
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages",
            c => c.Body.Contains(rig.Core.Content.Snippets.Find("your-pace")!.Text[^25..], StringComparison.Ordinal));
        Assert.True(fake.CallsTo("POST", "/channels/dm-111/messages").Count > before);
    }

    [Fact]
    public async Task A_held_message_goes_out_only_when_the_volunteer_presses_send()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        var fake = rig.Fake;
        await QueueAndClaimAsync(rig);
        var toSurvivor = fake.CallsTo("POST", "/channels/dm-111/messages").Count;

        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "202", "vic", "my insta is @vic_real"));
        var held = (await fake.WaitForCallAsync("POST", "/channels/dm-202/messages",
            c => c.Body.Contains(rig.Core.Content.Messages.GuardReasonHandle, StringComparison.Ordinal))).Json!;
        var send = DiscordMissionTests.Buttons(held).Single(id => id.StartsWith("guard:send:", StringComparison.Ordinal));
        await rig.SentinelAsync("202");
        Assert.Equal(toSurvivor, fake.CallsTo("POST", "/channels/dm-111/messages").Count);

        var press = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(press, send, null, DiscordRig.User("202", "vic")));
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", c => c.Body.Contains("@vic_real", StringComparison.Ordinal));
        Assert.DoesNotContain("vic_real", rig.Core.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keep_nothing_chosen_by_button_deletes_the_words_when_the_volunteer_closes()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        var fake = rig.Fake;
        var (queued, _) = await QueueAsync(rig);
        var keep = DiscordMissionTests.Buttons(queued).Single(id => id.StartsWith("safeguard:keep:", StringComparison.Ordinal));
        var press = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(press, keep, null, DiscordRig.User("111", "sam")));
        await fake.WaitForCallAsync("POST", $"/interactions/{press}/");

        var volunteer = DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId);
        var claim = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(claim, volunteer, "claim"));
        await fake.WaitForCallAsync("POST", $"/interactions/{claim}/");
        var close = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(close, volunteer, "close", ("outcome", "supported")));

        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages",
            c => c.Body.Contains(rig.Core.Content.Messages.KeepNothingDeleted[..20], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Affiliations_are_declared_with_two_options_and_screen_the_volunteer_from_the_queue()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        var fake = rig.Fake;
        var volunteer = DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId);
        var add = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(add, volunteer, "affiliations", ("action", "add"), ("name", "Kestrelwing Sangha")));
        var added = (await fake.WaitForCallAsync("POST", $"/interactions/{add}/")).Json!["data"]!;
        Assert.Equal(64, added["flags"]!.GetValue<int>());
        Assert.Contains("Kestrelwing Sangha", added["content"]!.GetValue<string>(), StringComparison.Ordinal);

        var (queued, _) = await QueueAsync(rig);
        var community = DiscordMissionTests.Buttons(queued).Single(id => id.StartsWith("safeguard:community:", StringComparison.Ordinal));
        var id = long.Parse(community.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await rig.Core.Get<SupportBot.Core.Storage.AffiliationStore>().TagConversationAsync(
            id, new SupportBot.Core.Address(SupportBot.Core.Platform.Discord, "111"), ["kestrelwing sangha"], default));

        var queue = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(queue, volunteer, "queue"));
        var list = (await fake.WaitForCallAsync("POST", $"/interactions/{queue}/")).Json!["data"]!;
        Assert.Contains(rig.Core.Content.Messages.QueueEmpty, list["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quiet_held_conversation_nudges_its_holder_by_dm()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        await QueueAndClaimAsync(rig);

        rig.Core.Clock.Advance(TimeSpan.FromHours(5));
        await rig.Core.Get<SupportTimers>().RunOnceAsync(default);

        var nudge = await rig.Fake.WaitForCallAsync("POST", "/channels/dm-202/messages", c => c.Body.Contains("/release", StringComparison.Ordinal));
        Assert.DoesNotContain("Kestrelwing", nudge.Body, StringComparison.Ordinal);
    }

    /// <summary>The survivor (111) writes and consents; returns the answer that puts them in line and the volunteer-channel notice.</summary>
    private static async Task<(JsonNode Queued, JsonNode Notice)> QueueAsync(DiscordRig rig)
    {
        var fake = rig.Fake;
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "sam", Disclosure));
        var consent = (await fake.WaitForCallAsync("POST", "/channels/dm-111/messages")).Json!;
        var consentId = DiscordMissionTests.Buttons(consent).First(id => id.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        var choose = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(choose, consentId, null, DiscordRig.User("111", "sam")));
        var queued = (await fake.WaitForCallAsync("POST", $"/interactions/{choose}/")).Json!["data"]!;
        var notice = (await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages")).Json!;
        return (queued, notice);
    }

    private static async Task<JsonObject> QueueAndClaimAsync(DiscordRig rig)
    {
        await QueueAsync(rig);
        var volunteer = DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId);
        var claim = DiscordRig.NextId();
        await rig.Fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(claim, volunteer, "claim"));
        await rig.Fake.WaitForCallAsync("POST", "/channels/dm-202/messages", c => c.Body.Contains("Kestrelwing", StringComparison.Ordinal));
        await rig.SentinelAsync("202");
        return volunteer;
    }
}
