using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core.Storage;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

/// <summary>
/// Invariants 5 and 9 on Discord, on the real process: kill -9 during a burst of direct messages, restart on the same
/// SQLite file, and count what the survivors wrote in the store. Every DM Discord sent, before the kill, during it
/// or while the bot was down, ends up stored exactly once: Discord replays what the bot had not claimed when the
/// session resumes, and when the session expired meanwhile the bot reads the open conversations' DM channels back.
/// Each survivor writes ten DMs in quick succession around the kill, and their words are kept in the order written.
/// </summary>
public sealed partial class DiscordCrashRecoveryTests : IDisposable
{
    private const int Survivors = 40;
    private const int PerSurvivor = 10;
    private readonly TempFolder _folder = new("discord-crash");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task After_kill_9_during_a_burst_the_resumed_session_replays_what_was_missed_and_every_dm_is_stored_once()
    {
        await using var fake = await FakeDiscord.StartAsync();

        var (sent, restart) = await RunBurstAndRestartAsync(fake, expireWhileDown: false);

        AssertStoredOnce(sent);
        Assert.Equal(1, fake.SessionsStarted); // resumed, never identified again
        Assert.InRange(fake.Resumed, 1, int.MaxValue);
        var resume = JsonNode.Parse(fake.Frames.First(f => f.Op == 6 && f.Connection > restart).Json)!["d"]!;
        Assert.True(resume["seq"]!.GetValue<int>() > Survivors, "the restarted bot resumed from the sequence it had saved, not from READY");
        Assert.Empty(fake.CallsTo("GET", "/messages")); // nothing needed reading back
    }

    [Fact]
    public async Task After_kill_9_during_a_burst_an_expired_session_is_backfilled_from_the_dm_channels_and_every_dm_is_stored_once()
    {
        await using var fake = await FakeDiscord.StartAsync();

        var (sent, restart) = await RunBurstAndRestartAsync(fake, expireWhileDown: true);

        AssertStoredOnce(sent);
        Assert.Contains(fake.Frames, f => f.Op == 6 && f.Connection > restart); // it tried to resume first
        Assert.Equal(2, fake.SessionsStarted); // the RESUME was refused, so the bot identified anew
        Assert.Equal(Survivors, fake.CallsTo("GET", "/messages").Select(c => c.Path).Distinct().Count());
        Assert.All(fake.CallsTo("GET", "/messages"), c => Assert.Contains("limit=100", c.Query, StringComparison.Ordinal));
    }

    /// <summary>
    /// Starts the bot, queues a conversation per survivor, kills the process while it works through a burst, sends the
    /// rest of the burst while it is down (expiring the session first, if asked), restarts it, and waits until every
    /// survivor's sentinel is stored: each person's events are handled in order, so all they sent before is done.
    /// </summary>
    private async Task<(List<string> Sent, int ConnectionsBeforeRestart)> RunBurstAndRestartAsync(FakeDiscord fake, bool expireWhileDown)
    {
        // A slow heartbeat: on a machine shared by many builds, a 150 ms one makes the bot take its session for a zombie
        // and resume now and then, which is correct but not what is counted here.
        fake.HeartbeatIntervalMs = 2000;
        var people = Enumerable.Range(0, Survivors).Select(i => (Id: $"71{i:D16}", Name: $"survivor{i}")).ToList();
        var sent = new List<string>();

        await using (var first = StartBot(fake))
        {
            await WaitAsync(() => fake.IsLive(0), "a live session", first);
            foreach (var (id, name) in people)
            {
                sent.Add(await SendDmAsync(fake, id, name, $"first words from {name}"));
            }

            foreach (var (id, name) in people)
            {
                RestCall? welcome = null;
                await WaitAsync(
                    () => (welcome = fake.CallsTo("POST", $"/channels/dm-{id}/messages").FirstOrDefault(c => c.Body.Contains("consent:pseudonym:", StringComparison.Ordinal))) is not null,
                    $"the welcome of {name}", first);
                var consent = ConsentId().Match(welcome!.Body).Value;
                await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(DiscordRig.NextId(), consent, null, DiscordRig.User(id, name)));
            }

            var answeredBefore = fake.CallsTo("POST", "/channels/dm-").Count;
            var burst = Enumerable.Range(0, PerSurvivor).SelectMany(m => people.Select(p => (p.Id, p.Name, Text: $"burst {m} from {p.Name}"))).ToList();
            var index = 0;
            for (; index < burst.Count / 3; index++)
            {
                sent.Add(await SendDmAsync(fake, burst[index].Id, burst[index].Name, burst[index].Text));
            }

            // Killed while it works through the burst: some DMs answered, some stored and not handled, some not stored.
            // The claim is written off the receive loop, so on a loaded machine it can lag the answers; waiting for one
            // past the first words makes the kill come after a claim the restarted bot can resume from.
            await WaitAsync(() => fake.CallsTo("POST", "/channels/dm-").Count >= answeredBefore + 20, "answers to the burst", first);
            await WaitAsync(() => SavedSequence() > Survivors, "a claimed sequence past the first words in the store", first);
            first.Kill();
            if (expireWhileDown)
            {
                fake.ExpireSession();
            }

            for (; index < burst.Count; index++)
            {
                sent.Add(await SendDmAsync(fake, burst[index].Id, burst[index].Name, burst[index].Text));
            }
        }

        var restart = fake.Connections;
        await using var second = StartBot(fake);
        await WaitAsync(() => fake.Resumed + fake.SessionsStarted >= 2, "a resumed or new session", second);
        var sentinels = new List<string>();
        foreach (var (id, name) in people)
        {
            sentinels.Add(await SendDmAsync(fake, id, name, $"sentinel from {name}"));
        }

        await WaitAsync(() => sentinels.All(StoredTexts().ContainsKey), "every sentinel stored", second);
        // A consent press answered after Discord's 3 s (10062) is a slow machine, not a lost message: the press was
        // handled either way, and what is counted here is what survivors wrote. So is an IDENTIFY of the restarted process
        // within 5 s of the killed one's (op 9): the new process cannot know when the old one identified, and it waits
        // and identifies again as Discord asks. Anything else Discord would refuse fails.
        var refused = fake.Refusals.Where(r => !r.StartsWith("10062:", StringComparison.Ordinal) && !r.StartsWith("op 9: IDENTIFY", StringComparison.Ordinal)).ToList();
        Assert.True(refused.Count == 0, "Discord refused: " + string.Join("; ", refused));
        Assert.DoesNotContain(FakeDiscord.DefaultToken, second.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("burst 0 from", second.Errors, StringComparison.Ordinal);
        Assert.Equal(0, PendingDiscordEvents());
        sent.AddRange(sentinels);
        return (sent, restart);
    }

    /// <summary>
    /// Waits for something the bot does (never a fixed sleep). The patience is for a machine shared by many builds; on a
    /// quiet one each step takes a second or two. A timeout says how far the bot got, with its log.
    /// </summary>
    private async Task WaitAsync(Func<bool> done, string what, ConsoleProcess bot)
    {
        try
        {
            await FakeDiscord.WaitAsync(() => done() ? "" : null, what, seconds: 90);
        }
        catch (TimeoutException e)
        {
            var log = bot.Errors + string.Join("\n", bot.Unread());
            throw new Xunit.Sdk.XunitException(
                $"{e.Message} Stored texts: {StoredTexts().Count}, pending events: {PendingDiscordEvents()}.\n--- log tail:\n{log[Math.Max(0, log.Length - 6000)..]}");
        }
    }

    private void AssertStoredOnce(List<string> sent)
    {
        AssertStoredInOrder(sent);
        var stored = StoredTexts();
        var lost = sent.Where(t => !stored.ContainsKey(t)).ToList();
        var twice = stored.Where(s => s.Value > 1).Select(s => s.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {sent.Count} DMs lost, e.g. {string.Join(", ", lost.Take(5))}");
        Assert.True(twice.Count == 0, $"{twice.Count} DMs stored twice, e.g. {string.Join(", ", twice.Take(5))}");
        Assert.Equal(sent.Count, stored.Count);
    }

    /// <summary>A volunteer reads a conversation in the order it is stored: each survivor's DMs must be in the order sent.</summary>
    private void AssertStoredInOrder(List<string> sent)
    {
        using var cipher = new MessageCipher(_key);
        using var db = Open();
        var stored = db.Query<(long ConversationId, byte[] Body)>("SELECT ConversationId, Body FROM Messages WHERE Sender = 'Survivor' ORDER BY Id")
            .Select(m => (m.ConversationId, Text: cipher.Decrypt(m.Body, $"message:{m.ConversationId.ToString(CultureInfo.InvariantCulture)}")))
            .GroupBy(m => m.ConversationId)
            .ToDictionary(g => g.First().Text, g => g.Select(m => m.Text).ToList(), StringComparer.Ordinal);
        var conversations = sent.Where(t => t.StartsWith("first words from ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Survivors, conversations.Count);
        foreach (var first in conversations)
        {
            var name = first["first words from ".Length..];
            var written = sent.Where(t => t.EndsWith(" from " + name, StringComparison.Ordinal)).ToList();
            Assert.True(stored.TryGetValue(first, out var kept), $"no conversation of {name}");
            Assert.Equal(written, kept.Where(written.Contains).ToList());
        }
    }

    private static async Task<string> SendDmAsync(FakeDiscord fake, string userId, string name, string text)
    {
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), userId, name, text));
        return text;
    }

    private ConsoleProcess StartBot(FakeDiscord fake) => ConsoleProcess.Start(_folder.Path,
        $"--Discord:Token={FakeDiscord.DefaultToken}", $"--Discord:ApplicationId={DiscordRig.ApplicationId}", $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
        $"--Discord:VolunteerChannelId={DiscordRig.VolunteerChannelId}", "--Discord:GlobalRequestsPerSecond=100000",
        $"--Storage:EncryptionKey={Convert.ToBase64String(_key)}");

    /// <summary>What survivors wrote, as the store holds it (opened with the key), and how many times each text is there.</summary>
    private Dictionary<string, int> StoredTexts()
    {
        using var cipher = new MessageCipher(_key);
        using var db = Open();
        return db.Query<(long ConversationId, byte[] Body)>("SELECT ConversationId, Body FROM Messages WHERE Sender = 'Survivor'")
            .Select(m => cipher.Decrypt(m.Body, $"message:{m.ConversationId.ToString(CultureInfo.InvariantCulture)}"))
            .GroupBy(t => t, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <summary>The sequence the bot claimed for shard 0 in the store, the one a restarted bot resumes from; 0 if none.</summary>
    private int SavedSequence()
    {
        using var db = Open();
        var saved = db.ExecuteScalar<byte[]?>("SELECT Value FROM Meta WHERE Name = 'Discord:Session:0'");
        return saved is null ? 0 : JsonNode.Parse(saved)!["seq"]!.GetValue<int>();
    }

    private long PendingDiscordEvents()
    {
        using var db = Open();
        return db.ExecuteScalar<long>("SELECT COUNT(*) FROM Inbox WHERE Platform = 'Discord' AND HandledAt IS NULL");
    }

    private SqliteConnection Open()
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _folder.File("supportbot.db"), Pooling = false }.ToString());
        db.Open();
        return db;
    }

    [GeneratedRegex("consent:pseudonym:[0-9]+")]
    private static partial Regex ConsentId();
}
