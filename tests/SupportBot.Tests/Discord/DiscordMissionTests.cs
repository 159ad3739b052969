using System.Text.Json.Nodes;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;
using SupportBot.Core;

namespace SupportBot.Tests.Discord;

/// <summary>The whole mission through real sockets: the fake Discord, the adapter and the real core.</summary>
public sealed class DiscordMissionTests
{
    private const string Disclosure = "My counsellor kept asking me to meet at his flat after our sessions and now I feel ashamed";

    [Fact]
    public async Task Commands_are_registered_at_start_with_their_options_and_choices()
    {
        await using var rig = await DiscordRig.StartAsync();

        var put = await rig.Fake.WaitForCallAsync("PUT", $"/applications/{DiscordRig.ApplicationId}/guilds/{DiscordRig.GuildId}/commands");
        var commands = put.Json!.AsArray();
        Assert.Equal(rig.Core.Bot.Commands.Count, commands.Count);
        var redflags = commands.Single(c => c!["name"]!.GetValue<string>() == "redflags")!;
        var helper = redflags["options"]![0]!;
        Assert.Equal(3, helper["type"]!.GetValue<int>());
        Assert.Contains(helper["choices"]!.AsArray(), c => c!["value"]!.GetValue<string>() == "therapist");
    }

    [Fact]
    public async Task A_members_redflags_with_ticks_is_answered_privately_and_nowhere_else()
    {
        await using var rig = await DiscordRig.StartAsync();
        var fake = rig.Fake;
        var alice = DiscordRig.Member("101", "alice");

        var command = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(command, alice, "redflags", ("helper", "therapist")));
        var checklist = (await fake.WaitForCallAsync("POST", $"/interactions/{command}/")).Json!;
        Assert.Equal(4, checklist["type"]!.GetValue<int>());
        Assert.Equal(64, checklist["data"]!["flags"]!.GetValue<int>());
        var select = checklist["data"]!["components"]!.AsArray().Select(r => r!["components"]![0]!).Single(c => c["type"]!.GetValue<int>() == 3);
        Assert.Equal("redflags:check:therapist", select["custom_id"]!.GetValue<string>());
        var options = select["options"]!.AsArray();
        Assert.Equal(0, select["min_values"]!.GetValue<int>());
        Assert.Equal(options.Count, select["max_values"]!.GetValue<int>());

        var ticked = options.Take(2).Select(o => o!["value"]!.GetValue<string>()).ToArray();
        var press = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(press, "redflags:check:therapist", alice, null, ticked));
        var result = (await fake.WaitForCallAsync("POST", $"/interactions/{press}/")).Json!;
        Assert.Equal(4, result["type"]!.GetValue<int>());
        Assert.Equal(64, result["data"]!["flags"]!.GetValue<int>());
        Assert.Contains(rig.Core.Content.Messages.NotYourFault, result["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Empty(fake.CallsTo("POST", "/messages"));
        Assert.DoesNotContain(DiscordRig.Token, rig.Core.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_reflection_prompt_updates_the_private_message_in_place()
    {
        await using var rig = await DiscordRig.StartAsync();
        var fake = rig.Fake;
        var alice = DiscordRig.Member("101", "alice");

        var theme = await FirstReflectionThemeAsync(fake, alice);

        var pick = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(pick, "reflect:pick", alice, null, theme));
        var update = (await fake.WaitForCallAsync("POST", $"/interactions/{pick}/")).Json!;

        Assert.Equal(7, update["type"]!.GetValue<int>()); // UPDATE_MESSAGE: the private message changes, nothing new is posted
        Assert.Null(update["data"]!["flags"]);
        Assert.Contains(Buttons(update["data"]!), id => id.StartsWith($"reflect:next:{theme}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_press_on_a_public_message_gets_a_new_private_answer_instead_of_changing_the_message()
    {
        await using var rig = await DiscordRig.StartAsync();
        var fake = rig.Fake;
        var alice = DiscordRig.Member("101", "alice");
        var theme = await FirstReflectionThemeAsync(fake, alice);

        // The same select on a message everyone in the channel sees (no flag 64): it must not be rewritten for all.
        var pick = DiscordRig.NextId();
        var press = DiscordRig.Component(pick, "reflect:pick", alice, null, theme);
        press["message"]!["flags"] = 0;
        await fake.DispatchAsync("INTERACTION_CREATE", press);
        var answer = (await fake.WaitForCallAsync("POST", $"/interactions/{pick}/")).Json!;

        Assert.Equal(4, answer["type"]!.GetValue<int>());
        Assert.Equal(64, answer["data"]!["flags"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_dm_disclosure_reaches_only_the_claiming_volunteer_and_relays_both_ways_until_closed()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        var fake = rig.Fake;
        var survivor = DiscordRig.User("111", "sam");
        var volunteerMember = DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId);

        // The survivor writes; the bot answers in their DM and asks for consent.
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "sam", Disclosure));
        var consent = (await fake.WaitForCallAsync("POST", "/channels/dm-111/messages")).Json!;
        var consentId = Buttons(consent).First(id => id.StartsWith("consent:pseudonym:", StringComparison.Ordinal));

        // They choose a pseudonym (a button in the DM: no member, only a user).
        var choose = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(choose, consentId, null, survivor));
        var queued = (await fake.WaitForCallAsync("POST", $"/interactions/{choose}/")).Json!;
        Assert.Null(queued["data"]!["flags"]); // the DM is private already; an ephemeral answer would vanish on reload

        // The volunteer channel hears a number, never the words.
        var notice = (await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages")).Json!;
        var claimId = Buttons(notice).Single(id => id.StartsWith("claim:", StringComparison.Ordinal));

        // A volunteer (by role) claims it and receives the disclosure in their own DM.
        var claim = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(claim, claimId, volunteerMember));
        Assert.Equal(64, (await fake.WaitForCallAsync("POST", $"/interactions/{claim}/")).Json!["data"]!["flags"]!.GetValue<int>());
        await fake.WaitForCallAsync("POST", "/channels/dm-202/messages", c => c.Body.Contains("ashamed", StringComparison.Ordinal));
        var joined = fake.CallsTo("POST", "/channels/dm-111/messages").Count;

        // Relay both ways, through DMs; the volunteer is known by the role looked up over REST.
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "202", "vic", "I'm here, and I believe you."));
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", c => c.Body.Contains("I believe you", StringComparison.Ordinal));
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "sam", "thank you for listening"));
        await fake.WaitForCallAsync("POST", "/channels/dm-202/messages", c => c.Body.Contains("thank you for listening", StringComparison.Ordinal));

        // The volunteer closes it with a command; the survivor is told.
        var close = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(close, volunteerMember, "close", ("outcome", "supported")));
        Assert.Equal(64, (await fake.WaitForCallAsync("POST", $"/interactions/{close}/")).Json!["data"]!["flags"]!.GetValue<int>());
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", c => c.Body.Contains(
            rig.Core.Content.Messages.ConversationClosed[..30], StringComparison.Ordinal));
        Assert.True(fake.CallsTo("POST", "/channels/dm-111/messages").Count > joined);

        // Invariant 2: the words reached only the survivor's and the claiming volunteer's DMs.
        foreach (var call in fake.Calls.Where(c => c.Body.Contains("ashamed", StringComparison.Ordinal)))
        {
            Assert.True(call.Path is "/channels/dm-202/messages", $"The disclosure reached {call.Method} {call.Path}");
        }

        Assert.All(fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/"), c =>
        {
            Assert.DoesNotContain("counsellor", c.Body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("flat", c.Body, StringComparison.OrdinalIgnoreCase);
        });
        Assert.All(fake.CallsTo("POST", "/interactions/").Where(c => !c.Path.Contains(choose, StringComparison.Ordinal)),
            c => Assert.Equal(64, c.Json!["data"]!["flags"]!.GetValue<int>()));
        Assert.DoesNotContain("ashamed", rig.Core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(DiscordRig.Token, rig.Core.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_volunteer_with_closed_dms_does_not_cost_the_survivor_the_joined_message()
    {
        await using var rig = await DiscordRig.StartAsync(f =>
        {
            f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId];
            // What Discord answers when a user accepts no DMs from server members.
            f.Respond = call => call is { Method: "POST", Path: "/channels/dm-202/messages" }
                ? new FakeResponse(403, "{\"message\":\"Cannot send messages to this user\",\"code\":50007}")
                : null;
        });
        var fake = rig.Fake;
        var messages = rig.Core.Content.Messages;

        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "sam", Disclosure));
        var consent = (await fake.WaitForCallAsync("POST", "/channels/dm-111/messages")).Json!;
        var choose = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(
            choose, Buttons(consent).First(id => id.StartsWith("consent:pseudonym:", StringComparison.Ordinal)), null, DiscordRig.User("111", "sam")));
        var notice = (await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages")).Json!;

        // The transcript to the volunteer's DM fails first; the survivor and the channel still hear of the claim.
        var claim = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(
            claim, Buttons(notice).Single(id => id.StartsWith("claim:", StringComparison.Ordinal)), DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId)));
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", c => Content(c).Contains(messages.VolunteerJoined, StringComparison.Ordinal));
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", count: 2);
        Assert.Single(fake.CallsTo("POST", "/channels/dm-202/messages"));

        Assert.Contains(rig.Core.Logs.Lines, l => l.Contains("ReplyRouter", StringComparison.Ordinal) && l.Contains(nameof(SupportBot.Discord.DiscordApiException), StringComparison.Ordinal));
        Assert.DoesNotContain("ashamed", rig.Core.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("/channels/", rig.Core.Logs.AllText, StringComparison.Ordinal);

        static string Content(RestCall call) => call.Json?["content"]?.GetValue<string>() ?? "";
    }

    [Fact]
    public async Task Without_a_volunteer_channel_the_missing_setting_is_warned_about_once()
    {
        await using var rig = await DiscordRig.StartAsync(start: false, settings: s => s["Discord:VolunteerChannelId"] = "");
        var notice = Reply.ToVolunteers(new TextBlock("A conversation is waiting."));

        await rig.Core.Get<SupportBot.Discord.DiscordSender>().SendAsync(notice, CancellationToken.None);
        await rig.Core.Get<SupportBot.Discord.DiscordSender>().SendAsync(notice, CancellationToken.None);

        Assert.Single(rig.Core.Logs.Lines, l => l.Contains("Discord:VolunteerChannelId", StringComparison.Ordinal));
        Assert.Empty(rig.Fake.CallsTo("POST", "/messages"));
    }

    [Fact]
    public async Task Volunteers_are_known_by_role_or_by_list_and_a_dm_role_lookup_is_cached()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.MemberRoles["202"] = [DiscordRig.VolunteerRoleId]);
        var fake = rig.Fake;
        var messages = rig.Core.Content.Messages;

        async Task<string> QueueAsync(JsonObject? member, JsonObject? user)
        {
            var id = DiscordRig.NextId();
            var command = DiscordRig.Command(id, member ?? new JsonObject(), "queue");
            if (member is null)
            {
                command.Remove("member");
                command.Remove("guild_id");
                command["user"] = user;
                command["context"] = 1;
            }

            await fake.DispatchAsync("INTERACTION_CREATE", command);
            return (await fake.WaitForCallAsync("POST", $"/interactions/{id}/")).Json!["data"]!["content"]!.GetValue<string>();
        }

        Assert.Equal(messages.NotVolunteer, await QueueAsync(DiscordRig.Member("101", "alice"), null));
        Assert.Equal(messages.QueueEmpty, await QueueAsync(DiscordRig.Member("202", "vic", DiscordRig.VolunteerRoleId), null));
        Assert.Empty(fake.CallsTo("GET", "/members/"));

        // In a DM there is no member: the role is looked up in the configured guild, once a minute at most.
        Assert.Equal(messages.QueueEmpty, await QueueAsync(null, DiscordRig.User("202", "vic")));
        Assert.Equal(messages.QueueEmpty, await QueueAsync(null, DiscordRig.User("202", "vic")));
        Assert.Single(fake.CallsTo("GET", $"/guilds/{DiscordRig.GuildId}/members/202"));
        Assert.Equal(messages.NotVolunteer, await QueueAsync(null, DiscordRig.User("303", "stranger")));

        // A listed user needs no lookup at all.
        Assert.Equal(messages.QueueEmpty, await QueueAsync(null, DiscordRig.User(DiscordRig.ListedVolunteerId, "lee")));
        Assert.Empty(fake.CallsTo("GET", $"/members/{DiscordRig.ListedVolunteerId}"));
    }

    [SharedFixtureFact]
    public async Task An_official_modal_submit_with_a_foreign_custom_id_gets_a_polite_private_answer()
    {
        await using var rig = await DiscordRig.StartAsync();
        var envelope = JsonNode.Parse(SharedFixtureFactAttribute.Read("discord", "interaction_create.modal_submit.captured.json"))!;
        var id = envelope["d"]!["id"]!.GetValue<string>();

        await rig.Fake.DispatchEnvelopeAsync(envelope.ToJsonString());

        var answer = (await rig.Fake.WaitForCallAsync("POST", $"/interactions/{id}/")).Json!;
        Assert.Equal(4, answer["type"]!.GetValue<int>());
        Assert.Equal(64, answer["data"]!["flags"]!.GetValue<int>());
        Assert.Equal(rig.Core.Content.Messages.UnknownAction, answer["data"]!["content"]!.GetValue<string>());
    }

    [SharedFixtureFact]
    public async Task The_official_dm_sample_starts_an_intake_and_guild_messages_are_ignored()
    {
        await using var rig = await DiscordRig.StartAsync();
        var dm = JsonNode.Parse(SharedFixtureFactAttribute.Read("discord", "CONSTRUCTED.message_create.dm.json"))!;
        var guild = JsonNode.Parse(SharedFixtureFactAttribute.Read("discord", "message_create.guild.captured.json"))!;
        var channel = dm["d"]!["channel_id"]!.GetValue<string>();

        await rig.Fake.DispatchEnvelopeAsync(guild.ToJsonString());
        await rig.Fake.DispatchEnvelopeAsync(dm.ToJsonString());

        // The answer goes to the DM channel the message came from; no new channel is needed.
        var answer = await rig.Fake.WaitForCallAsync("POST", $"/channels/{channel}/messages");
        Assert.Contains(rig.Core.Content.Messages.Welcome, answer.Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        await rig.SentinelAsync(dm["d"]!["author"]!["id"]!.GetValue<string>());
        Assert.Single(rig.Fake.CallsTo("POST", "/messages"));
        Assert.Empty(rig.Fake.CallsTo("POST", "/users/@me/channels"));
    }

    /// <summary>Runs /reflect for the member; checks the theme list came privately and returns its first theme.</summary>
    private static async Task<string> FirstReflectionThemeAsync(FakeDiscord fake, JsonObject member)
    {
        var command = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(command, member, "reflect"));
        var themes = (await fake.WaitForCallAsync("POST", $"/interactions/{command}/")).Json!;
        Assert.Equal(64, themes["data"]!["flags"]!.GetValue<int>());
        return themes["data"]!["components"]![0]!["components"]![0]!["options"]![0]!["value"]!.GetValue<string>();
    }

    internal static IEnumerable<string> Buttons(JsonNode message) =>
        message["components"]!.AsArray().SelectMany(r => r!["components"]!.AsArray()).Select(c => c!["custom_id"]!.GetValue<string>());
}
