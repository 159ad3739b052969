using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>Discord DMs go through the durable inbox (invariant 5), and a DM channel's history reads as Discord serves it.</summary>
public sealed class DiscordInboxTests
{
    [Fact]
    public async Task A_dm_the_database_cannot_store_is_answered_with_send_it_again_and_the_next_one_is_handled()
    {
        await using var rig = await DiscordRig.StartAsync(settings: s => s["Storage:BusyTimeoutSeconds"] = "1");
        var fake = rig.Fake;
        await fake.WaitForCallAsync("PUT", "/commands");
        var storageFailed = rig.Core.Content.Messages.StorageFailed;

        using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = rig.Core.DatabasePath, Pooling = false }.ToString()))
        {
            holder.Open();
            holder.Execute("BEGIN EXCLUSIVE;");
            await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), "111", "ana", "words while the database is locked"));
            var answer = await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", seconds: 10);
            Assert.Equal(storageFailed, answer.Json!["content"]!.GetValue<string>().Trim());
            holder.Execute("ROLLBACK;");
        }

        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), "111", "ana", "words once it is free"));
        var welcome = await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", count: 2, seconds: 10);
        Assert.Contains("consent:pseudonym:", welcome.Body, StringComparison.Ordinal);
        Assert.False(rig.Connection.ExecuteTask!.IsCompleted, "the adapter stopped");
        Assert.Single(fake.Frames, f => f.Op == 2); // a blocked pool may cost a heartbeat and a resume, never the session
        // Nothing else of ana's was waiting, so the DM was to be stored with its handling, in one commit (see Bot.HandleOnceAsync).
        Assert.Contains(rig.Core.Logs.Lines, l => l.Contains("Storage failed (busy", StringComparison.Ordinal)
            && l.Contains("while handling a DirectMessage from Discord; the person was asked to send it again", StringComparison.Ordinal));
        Assert.DoesNotContain("words while the database", rig.Core.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_first_dms_at_once_than_the_bot_holds_in_hand_are_all_answered_once()
    {
        // Answers take 50 ms at Discord, so the DMs taken in pile up past ReadLimit.Limit and the gateway stops being
        // read for a while: the rest wait at Discord, unread and unclaimed, and are read as the first ones are answered.
        await using var rig = await DiscordRig.StartAsync(f => f.Respond = call => call.Method == "POST" && call.Path.Contains("/channels/dm-", StringComparison.Ordinal)
            ? new FakeResponse(200, $$"""{"id":"{{DiscordRig.NextId()}}"}""", Delay: TimeSpan.FromMilliseconds(50))
            : null,
            settings: s => s["Discord:GlobalRequestsPerSecond"] = "100000");
        var people = Enumerable.Range(0, ReadLimit.Limit + 300).Select(i => $"{900_000 + i}").ToList();

        foreach (var person in people)
        {
            await rig.Fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(rig.Fake.NewMessageId(), person, "someone", "my coach keeps messaging me late at night"));
        }

        await rig.Fake.WaitForCallAsync("POST", "/channels/dm-", count: people.Count, seconds: 60);
        var answers = rig.Fake.CallsTo("POST", "/channels/dm-").GroupBy(c => c.Path.Split('/')[2]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.All(people, p => Assert.Contains("consent:pseudonym:", Assert.Single(answers[$"dm-{p}"]).Body, StringComparison.Ordinal));
        Assert.Single(rig.Fake.Frames, f => f.Op == 2); // one session throughout: a pause never cost a new IDENTIFY
    }

    [Fact]
    public async Task A_dm_stored_but_not_handled_before_a_stop_is_handled_at_start_once_even_when_discord_sends_it_again()
    {
        await using var rig = await DiscordRig.StartAsync(start: false);
        var fake = rig.Fake;
        var id = fake.NewMessageId();
        var stored = new DirectMessage(new Actor(new Address(Platform.Discord, "111"), "ana", false), "discord:message:" + id, "hello, is anyone there");
        Assert.Equal(Acceptance.Stored, await rig.Core.Bot.AcceptAsync(stored, CancellationToken.None));

        await rig.Connection.StartAsync(CancellationToken.None);
        var welcome = await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", seconds: 10);
        Assert.Contains("consent:pseudonym:", welcome.Body, StringComparison.Ordinal);

        // Discord delivers it again (a replay after the sequence the bot had claimed): it was handled, so it is not again.
        await fake.WaitForFrameAsync(op: 2);
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(id, "111", "ana", "hello, is anyone there"));
        await rig.SentinelAsync("111");
        Assert.Single(fake.CallsTo("POST", "/channels/dm-111/messages"));
    }

    [Fact]
    public async Task History_reads_page_forward_after_an_id_oldest_first_and_the_fake_refuses_what_discord_refuses()
    {
        await using var fake = await FakeDiscord.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 250; i++)
        {
            ids.Add(fake.NewMessageId());
            await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(ids[^1], "111", "ana", $"message {i}"));
        }

        using var api = new DiscordApi(
            Options.Create(new DiscordOptions { Token = DiscordRig.Token, ApplicationId = DiscordRig.ApplicationId, ApiBaseUrl = fake.ApiBaseUrl }),
            TimeProvider.System, NullLogger<DiscordApi>.Instance);
        var read = await api.GetMessagesAfterAsync("dm-111", ulong.Parse(ids[9], System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);

        Assert.Equal(ids.Skip(10), read.Select(m => m.Id));
        Assert.Equal(3, fake.CallsTo("GET", "/channels/dm-111/messages").Count); // 100 + 100 + 40

        using var http = new HttpClient { BaseAddress = new Uri(fake.ApiBaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", DiscordRig.Token);
        var newest = await http.GetStringAsync(new Uri("channels/dm-111/messages?limit=3", UriKind.Relative));
        Assert.Equal(ids.TakeLast(3).Reverse(), System.Text.Json.Nodes.JsonNode.Parse(newest)!.AsArray().Select(m => m!["id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri("channels/dm-111/messages?limit=101", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri("channels/dm-111/messages?limit=0", UriKind.Relative))).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", "another-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("channels/dm-111/messages", UriKind.Relative))).StatusCode);
        Assert.Equal(3, fake.Refusals.Count);
    }

    [Fact]
    public async Task A_resume_of_an_expired_session_gets_invalid_session_and_a_valid_one_replays_after_its_sequence()
    {
        await using var rig = await DiscordRig.StartAsync();
        var fake = rig.Fake;
        await fake.WaitForCallAsync("PUT", "/commands");

        // Dropped, then the session ends before the bot is back: it must identify anew.
        fake.ExpireSession();
        await fake.DropAsync();
        await fake.WaitForFrameAsync(op: 6);
        // Patient: the new IDENTIFY waits out Discord's 5 s identify limit and the reconnect backoff, on a machine that may be busy.
        await fake.WaitForFrameAsync(op: 2, count: 2, seconds: 60);
        Assert.Equal(0, fake.Resumed);
        Assert.Equal(2, fake.SessionsStarted);

        // A drop with the session still valid: RESUMED, and a DM sent meanwhile is replayed and answered.
        await DropWhenLiveAsync(fake);
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), "222", "bo", "sent while the bot was away"));
        await FakeDiscord.WaitAsync(() => fake.Resumed == 1 ? "" : null, "RESUMED", seconds: 60);
        await fake.WaitForCallAsync("POST", "/channels/dm-222/messages", seconds: 60);
    }

    private static async Task DropWhenLiveAsync(FakeDiscord fake)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await fake.DropAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 500)
            {
                // READY is still on its way: no live session to drop yet.
                await Task.Delay(10);
            }
        }
    }
}
