using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Discord;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;
using Xunit.Abstractions;

namespace SupportBot.Tests.MultiProcess;

/// <summary>
/// Issue 14, invariants 5, 6 and 9 across processes on Discord: two real bot processes on one database split the two
/// shards of the fake Discord, process A running shard 0 and process B shard 1, each with its own session. Counted from
/// the store (read with the key) against what Discord sent.
/// Discord sends a guild's events to shard <c>(guild_id &gt;&gt; 22) % 2</c> and every event without a guild id (direct
/// messages, and buttons pressed in a DM) to shard 0 alone (discord-api-docs, docs/events/gateway.mdx, "Sharding"). The
/// fake routes the same way, so every survivor's DM reaches A: the 1,000 DMs are not spread over the two processes, as
/// on real Discord they cannot be. What Discord does spread is the volunteers' side, their presses and commands in guild
/// channels: half of them come from a guild on shard 1, to B. B handles DMs only when it takes over A's inbox after
/// A dies; A's shard is not B's to resume, so A is restarted and resumes it. On PostgreSQL, the scale-out path; on
/// SQLite too, as a check of the same logic.
/// </summary>
public abstract partial class TwoDiscordShardsTests(Store store, ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const int Volunteers = 20;

    /// <summary>The default lease (Storage:LeaseSeconds), for tests in which no process dies.</summary>
    private const int NoTakeoverLeaseSeconds = 30;

    /// <summary>Guilds whose events Discord sends to shard 0 and to shard 1 of two (the shard is in the id's bits above 22).</summary>
    private static readonly string[] GuildOnShard = [((1000L << 22) + 1).ToString(CultureInfo.InvariantCulture), ((1001L << 22) + 1).ToString(CultureInfo.InvariantCulture)];

    private static readonly Lazy<Messages> Texts = new(() => ContentCatalog.Load(TestPaths.Prompts).Messages);

    private readonly SharedDatabase _database = new(store);
    private readonly BotProcesses _bots = new();
    private FakeDiscord _discord = null!;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscord.StartAsync();
        _discord.ShardCount = 2;
        _discord.MaxConcurrency = 2;

        // A slow heartbeat: on a machine shared by many builds, a 150 ms one makes a bot take its session for a zombie
        // and resume now and then, which is correct but not what is counted here.
        _discord.HeartbeatIntervalMs = 2000;
    }

    public async Task DisposeAsync()
    {
        await _bots.DisposeAsync();

        await _discord.DisposeAsync();
    }

    public void Dispose() => _database.Dispose();

    [StoreFact]
    public async Task Twenty_volunteers_on_two_shards_press_claim_on_one_conversation_and_exactly_one_holds_it()
    {
        await StartBotsAsync(NoTakeoverLeaseSeconds);
        var id = (await QueueConversationsAsync(1)).Single();

        // Volunteer i presses Claim in a guild on shard i % 2: ten presses reach each process, all at once.
        var presses = Enumerable.Range(0, Volunteers).Select(_ => DiscordRig.NextId()).ToList();
        await Task.WhenAll(Enumerable.Range(0, Volunteers).Select(i => PressClaimAsync(presses[i], i, id)));
        var answers = await Task.WhenAll(presses.Select((p, i) => ClaimAnswerAsync(p, id, $"the answer to volunteer {i}'s press")));

        var winner = Assert.Single(Enumerable.Range(0, Volunteers).Where(i => answers[i] == ClaimAnswer.Claimed).ToList());
        Assert.Equal(Volunteers - 1, answers.Count(a => a == ClaimAnswer.Taken));
        Assert.Equal(new[] { Volunteers / 2, Volunteers / 2 }, Enumerable.Range(0, 2).Select(s => _discord.Routed.Count(r => r.Shard == s && presses.Contains(r.Id!))).ToArray());

        // Only the winner was sent the disclosure, once.
        await WaitAsync(() => DisclosedTo(Volunteer(winner)) == 1, "the transcript in the winner's DM");
        await StopBotsAsync();
        var held = await _database.Core.Get<ConversationStore>().GetAsync(id, default);
        Assert.Equal(new Address(Platform.Discord, Volunteer(winner)), held!.ClaimedBy);
        Assert.All(Enumerable.Range(0, Volunteers).Where(i => i != winner), i => Assert.Equal(0, DisclosedTo(Volunteer(i))));
        AssertNothingRefused();
        AssertLogsClean();

        int DisclosedTo(string volunteer) => PostsTo("dm-" + volunteer).Count(t => t.Contains(Words(0, 0), StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_thousand_dms_on_shard_0_with_claims_on_both_shards_are_each_stored_once_and_relayed_once()
    {
        const int people = 100, each = 10;
        await StartBotsAsync(NoTakeoverLeaseSeconds);

        // Round 0: every survivor writes and consents (A, shard 0); then volunteers claim the conversations from guild
        // channels on both shards, half of them on B. A then stores the other 900 DMs and relays each to whoever holds
        // its conversation, the holders B made included.
        var ids = await QueueConversationsAsync(people);
        var claims = ids.Select((id, n) => (Id: id, Press: DiscordRig.NextId(), Volunteer: n % Volunteers)).ToList();
        var holderOf = claims.ToDictionary(c => c.Id, c => Volunteer(c.Volunteer));
        foreach (var (id, press, volunteer) in claims)
        {
            await PressClaimAsync(press, volunteer, id);
        }

        // Each press is the only one on its conversation, so it wins; counted from the store, since a press answered
        // past Discord's 3 s on a loaded machine is not answered at all (Discord would refuse it), though it was handled.
        var conversations = _database.Core.Get<ConversationStore>();
        await WaitAsync(
            async () => (await Task.WhenAll(ids.Select(id => conversations.GetAsync(id, default)))).All(c => c?.ClaimedBy is not null),
            "every conversation claimed");

        // Rounds 1 to 9: each survivor writes once per round; the next round once most of the last were stored.
        for (var j = 1; j < each; j++)
        {
            var before = await _database.StoredAsync("Discord");
            for (var i = 0; i < people; i++)
            {
                await SendDmAsync(i, Words(i, j));
            }

            await WaitUntilAsync(async () => await _database.StoredAsync("Discord") >= before + (people * 9 / 10), TimeSpan.FromSeconds(5));
        }

        await WaitForEverythingHandledAsync(ids.Count * 2 + people * each, "every DM, consent and claim stored and handled");
        await WaitAsync(() => RelayedToVolunteers() == people * each, "every DM in a volunteer's DM (transcript or relay)");
        var answered = claims.Select(c => AnswerTo(c.Press, c.Id)).ToList();
        var unanswered = Enumerable.Range(0, 2).Select(shard => claims.Where((c, n) => c.Volunteer % 2 == shard && answered[n] == ClaimAnswer.None).Count()).ToArray();
        await StopBotsAsync();

        var (lost, twice, toldTwice) = await CountAsync(people, each);
        int relayedOnce = 0, relayedTwice = 0, toAnother = 0, wrongHolder = 0;
        for (var i = 0; i < people; i++)
        {
            var open = await conversations.FindOpenAsync(new Address(Platform.Discord, Survivor(i)), default);
            var holder = holderOf[open!.Id];
            wrongHolder += open.ClaimedBy == new Address(Platform.Discord, holder) ? 0 : 1;
            var posts = PostsTo("dm-" + holder);
            var reached = Enumerable.Range(0, each).Select(j => posts.Count(t => t.Contains(Words(i, j), StringComparison.Ordinal))).ToList();
            relayedOnce += reached.Count(n => n == 1);
            relayedTwice += reached.Count(n => n > 1);
            toAnother += Enumerable.Range(0, Volunteers).Select(Volunteer).Where(v => v != holder)
                .Sum(v => PostsTo("dm-" + v).Count(t => Enumerable.Range(0, each).Any(j => t.Contains(Words(i, j), StringComparison.Ordinal))));
        }

        var onB = _discord.Routed.Count(r => r.Shard == 1);
        output.WriteLine($"{store}: {people * each} DMs on shard 0 (A), {claims.Count} claims, {onB} of them on shard 1 (B): lost {lost}, stored twice {twice}, "
            + $"answered more often than stored {toldTwice}; {relayedOnce} reached the claiming volunteer exactly once (transcript or relay), {relayedTwice} more than once, "
            + $"{toAnother} posts reached another volunteer; wrong holder {wrongHolder}; "
            + $"claims answered \"claimed\" {answered.Count(a => a == ClaimAnswer.Claimed)}, not at all (past 3 s) on A {unanswered[0]}, on B {unanswered[1]}; "
            + $"posts Discord dropped as repeats of a nonce {Deduplicated()}.");
        Assert.Equal(people / 2, onB);
        Assert.DoesNotContain(ClaimAnswer.Taken, answered);
        Assert.Equal(0, lost);
        Assert.Equal(0, twice);
        Assert.Equal(0, toldTwice);
        Assert.Equal(0, wrongHolder);
        Assert.Equal(0, toAnother);
        Assert.Equal(people * each, relayedOnce);
        AssertNothingRefused();
        AssertLogsClean();
    }

    [StoreFact]
    public async Task Kill_9_of_the_shard_0_process_during_a_burst_leaves_its_inbox_to_the_other_and_its_restart_resumes_its_shard()
    {
        var (restarted, restartedAt) = await KillDuringABurstAndRestartAsync(expireWhileDown: false);

        // A resumed its saved session (no new IDENTIFY of shard 0) and Discord replayed what it had not claimed.
        Assert.Contains("Resuming the saved Discord session of shard 0", restarted.Errors, StringComparison.Ordinal);
        Assert.Contains(_discord.Frames, f => f.Op == 6 && f.Connection > restartedAt);
        Assert.Single(_discord.Identifies, x => x.Shard == 0);
        Assert.Empty(_discord.CallsTo("GET", "/messages")); // nothing needed reading back
    }

    [StoreFact]
    public async Task Kill_9_of_the_shard_0_process_with_its_session_expired_meanwhile_reads_the_dm_channels_back_on_restart()
    {
        var (restarted, restartedAt) = await KillDuringABurstAndRestartAsync(expireWhileDown: true);

        // A tried to resume, was refused, identified shard 0 anew and read back the open conversations' DM channels:
        // what Discord sent while A was away is gone from the gateway.
        Assert.Contains(_discord.Frames, f => f.Op == 6 && f.Connection > restartedAt);
        Assert.Equal(2, _discord.Identifies.Count(x => x.Shard == 0));
        Assert.Contains("reading back the DM channels", restarted.Errors, StringComparison.Ordinal);
        Assert.NotEmpty(_discord.CallsTo("GET", "/messages"));
    }

    /// <summary>
    /// Kills A (shard 0) during a burst of DMs while it holds stored DMs it has not handled, sends the rest of the burst
    /// while it is down (expiring shard 0's session first, if asked), waits until B took A's stored DMs over (after the
    /// 3 s lease), restarts A with shard 0, and waits until every DM is stored and handled. Counts from the store: none
    /// lost, none stored twice, nobody answered more often than they wrote. B's own session goes on untouched.
    /// </summary>
    private async Task<(ConsoleProcess Restarted, int ConnectionsBeforeRestart)> KillDuringABurstAndRestartAsync(bool expireWhileDown)
    {
        const int people = 40, each = 10;
        await StartBotsAsync();
        var owner = BotProcesses.LeaseOwnerOf(_bots[0]);

        // Each survivor has written once before: their conversation is open, so a DM channel the bot can read back.
        // (Someone whose very first DM falls in an expired session's gap is not known to the bot at all, and Discord
        // gives a bot no list of its DM channels: that DM is gone from the gateway, and only writing again brings it.)
        for (var i = 0; i < people; i++)
        {
            await SendDmAsync(i, Words(i, 0));
        }

        await WaitForEverythingHandledAsync(people, "every survivor's first DM stored and handled");

        // The first half of the burst reaches A (shard 0), which stores each DM, claims its sequence, and handles it
        // after: killed while it holds stored DMs it has not handled yet, and while more are coming. Discord is slow to
        // take A's answers meanwhile, so that each survivor's next DMs wait stored behind the answer to the last however
        // fast A is; what A left is counted at the kill, before B's takeover (after the 3 s lease) can begin.
        _discord.HoldBack = call => call.Method == "POST" && call.Path.Contains("/channels/dm-", StringComparison.Ordinal)
            ? TimeSpan.FromMilliseconds(200)
            : TimeSpan.Zero;
        var burst = Enumerable.Range(1, each - 1).SelectMany(j => Enumerable.Range(0, people).Select(i => (i, j))).ToList();
        var half = burst.Count / 2;
        var firstHalf = Task.Run(async () =>
        {
            foreach (var (i, j) in burst.Take(half))
            {
                await SendDmAsync(i, Words(i, j));
            }
        });
        await WaitAsync(async () => await _database.PendingAsync(owner, "Discord") >= 5, "A holding stored DMs it has not handled");
        _bots.Kill(_bots[0]);
        var killed = Stopwatch.StartNew();
        var leftByA = await _database.PendingAsync(owner, "Discord");
        _discord.HoldBack = null;
        await firstHalf;
        Assert.True(leftByA > 0, "A had handled everything it stored before the kill: the kill was not during the burst");
        if (expireWhileDown)
        {
            _discord.ExpireSession(shard: 0);
        }

        // The rest Discord keeps for shard 0 (in its log for a RESUME, or only in the DM channels once the session
        // expired): no other shard gets DMs. B goes on answering its guild.
        foreach (var (i, j) in burst.Skip(half))
        {
            await SendDmAsync(i, Words(i, j));
        }

        await HelpAsync(shard: 1, Volunteer(1));
        await WaitAsync(async () => await _database.PendingAsync(owner, "Discord") == 0, "A's stored events taken over by B");
        var failover = killed.Elapsed;
        await WaitAsync(() => _bots[1].Errors.Contains("Took over", StringComparison.Ordinal), "B's log of the takeover", _bots[1]); // logged just after the rows are taken

        // A comes back with shard 0. What it stored before the kill is in the inbox already and is not handled again.
        var restartedAt = _discord.Connections;
        var restarted = await StartBotAsync(shard: 0);
        await WaitForEverythingHandledAsync(people * each, "every DM of the burst stored and handled");
        await StopBotsAsync();

        var (lost, twice, toldTwice) = await CountAsync(people, each);
        output.WriteLine($"{store}: kill -9 of A with {leftByA} of its DMs stored and not handled; B took them over {failover.TotalSeconds:F1} s after the kill "
            + $"(lease 3 s); {burst.Count - half} DMs sent while A was down{(expireWhileDown ? ", its session expired" : "")}; "
            + $"lost {lost}, stored twice {twice}, answered more often than stored {toldTwice}; posts Discord dropped as repeats of a nonce {Deduplicated()}.");
        Assert.DoesNotContain(_discord.Identifies, x => x.Shard == 1 && x.Connection > restartedAt); // B kept its own session
        Assert.Equal(0, lost);
        Assert.Equal(0, twice);
        Assert.Equal(0, toldTwice);
        AssertNothingRefused();
        AssertLogsClean();
        return (restarted, restartedAt);
    }

    /// <summary>
    /// Starts A with shard 0, then B with shard 1, and waits until both sessions are live and both hold leases. Tests that
    /// kill a process take a 3 s lease so the other takes over soon; the others keep the default, since on a machine loaded
    /// far past its cores a process can stall for a 3 s lease, and the other then sends what the stalled one was sending too
    /// (README, "Several processes on one PostgreSQL").
    /// </summary>
    private async Task StartBotsAsync(int leaseSeconds = 3)
    {
        await StartBotAsync(shard: 0, leaseSeconds);
        await StartBotAsync(shard: 1, leaseSeconds);
    }

    private async Task<ConsoleProcess> StartBotAsync(int shard, int leaseSeconds = 3)
    {
        var resumes = _discord.Resumed;
        var sessions = _discord.SessionsStarted;
        List<string> args =
        [
            .. _database.ProcessArgs, $"--Storage:LeaseSeconds={leaseSeconds}",
            $"--Discord:Token={FakeDiscord.DefaultToken}", $"--Discord:ApplicationId={DiscordRig.ApplicationId}", $"--Discord:ApiBaseUrl={_discord.ApiBaseUrl}",
            $"--Discord:VolunteerChannelId={DiscordRig.VolunteerChannelId}", "--Discord:GlobalRequestsPerSecond=100000",
            "--Discord:ShardCount=2", $"--Discord:ShardIds={shard}",
            .. Enumerable.Range(0, Volunteers).Select(i => $"--Discord:VolunteerUserIds:{i}={Volunteer(i)}"),
        ];
        var bot = _bots.Start(_database.Folder, [.. args]);
        await WaitAsync(() => _discord.IsLive(shard) && (_discord.Resumed > resumes || _discord.SessionsStarted > sessions), $"shard {shard} live", bot);
        await WaitAsync(() => BotProcesses.LeaseOwnerOrNull(bot) is not null, "the process's lease owner in its log", bot);
        return bot;
    }

    private Task StopBotsAsync() => _bots.StopAsync();

    /// <summary>Survivors 0 to <paramref name="people"/> − 1 write (round 0) and consent in their DMs, both on shard 0; the conversations' numbers, from the volunteer notices.</summary>
    private async Task<List<long>> QueueConversationsAsync(int people)
    {
        for (var i = 0; i < people; i++)
        {
            await SendDmAsync(i, Words(i, 0));
        }

        foreach (var survivor in Enumerable.Range(0, people).Select(Survivor))
        {
            string? consent = null;
            await WaitAsync(() => (consent = PostsTo("dm-" + survivor).Select(t => ConsentId().Match(t)).FirstOrDefault(m => m.Success)?.Value) is not null,
                $"the welcome of {survivor}");
            await _discord.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(DiscordRig.NextId(), consent!, null, DiscordRig.User(survivor, "survivor")));
        }

        List<long> ids = [];
        await WaitAsync(
            () => (ids = [.. PostsTo(DiscordRig.VolunteerChannelId).SelectMany(t => ClaimId().Matches(t)).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct()])
                .Count == people,
            "a volunteer notice per conversation");
        return ids;
    }

    /// <summary>Volunteer <paramref name="volunteer"/> presses Claim on a notice, in a guild on shard <c>volunteer % 2</c>.</summary>
    private async Task PressClaimAsync(string press, int volunteer, long id)
    {
        var interaction = DiscordRig.Component(press, $"claim:{id}", DiscordRig.Member(Volunteer(volunteer), $"volunteer{volunteer}"));
        interaction["guild_id"] = GuildOnShard[volunteer % 2];
        await _discord.DispatchAsync("INTERACTION_CREATE", interaction);
    }

    /// <summary>What the press was answered (in its initial response, or in the message a deferral then filled), once it was.</summary>
    private async Task<ClaimAnswer> ClaimAnswerAsync(string press, long id, string what)
    {
        await WaitAsync(() => AnswerTo(press, id) != ClaimAnswer.None, what);
        return AnswerTo(press, id);
    }

    /// <summary>What a press on Claim of conversation <paramref name="id"/> was answered so far.</summary>
    private ClaimAnswer AnswerTo(string press, long id)
    {
        var claimed = Texts.Value.Claimed.Split("{Name}")[0].Replace("{Id}", $"{id}", StringComparison.Ordinal);
        var taken = Texts.Value.AlreadyTaken.Replace("{Id}", $"{id}", StringComparison.Ordinal);
        var text = string.Join("\n", _discord.Calls.Where(c => c.Path.Contains(press, StringComparison.Ordinal)).Select(c => JsonText.Of(c.Json)));
        return text.Contains(claimed, StringComparison.Ordinal) ? ClaimAnswer.Claimed
            : text.Contains(taken, StringComparison.Ordinal) ? ClaimAnswer.Taken
            : ClaimAnswer.None;
    }

    /// <summary>How many of the survivors' DMs (by their words) reached some volunteer's DM channel, at least once.</summary>
    private int RelayedToVolunteers() =>
        _discord.CallsTo("POST", "/channels/dm-42").SelectMany(c => WordsIn().Matches(JsonText.Of(c.Json))).Select(m => m.Value).Distinct().Count();

    /// <summary>Runs /help in a guild on a shard and waits for its answer.</summary>
    private async Task HelpAsync(int shard, string userId)
    {
        var id = DiscordRig.NextId();
        var command = DiscordRig.Command(id, DiscordRig.Member(userId, "someone"), "help");
        command["guild_id"] = GuildOnShard[shard];
        await _discord.DispatchAsync("INTERACTION_CREATE", command);
        await WaitAsync(() => _discord.CallsTo("POST", $"/interactions/{id}/").Count > 0, $"/help answered on shard {shard}");
    }

    private async Task SendDmAsync(int survivor, string text) =>
        await _discord.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(_discord.NewMessageId(), Survivor(survivor), $"survivor{survivor}", text));

    /// <summary>Waits until the inbox holds this many Discord events and none is waiting to be handled, whichever process holds it.</summary>
    private async Task WaitForEverythingHandledAsync(long stored, string what)
    {
        try
        {
            await WaitAsync(async () => await _database.StoredAsync("Discord") >= stored && await _database.PendingAsync(platform: "Discord") == 0, what, seconds: 180);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException(
                $"Stored {await _database.StoredAsync("Discord")} of {stored} Discord events, {await _database.PendingAsync(platform: "Discord")} not handled. {e.Message}");
        }
    }

    /// <summary>
    /// For each survivor's DM (Discord sent every one, and replays what was not claimed): stored 0 times (lost), more than
    /// once, or answered in their DM more often than they wrote.
    /// </summary>
    private async Task<(int Lost, int Twice, int ToldTwice)> CountAsync(int people, int each)
    {
        var conversations = _database.Core.Get<ConversationStore>();
        var reader = new Address(Platform.Discord, "409999999999999999");
        int lost = 0, twice = 0, toldTwice = 0;
        for (var i = 0; i < people; i++)
        {
            var words = (await StoredTranscript.ReadAsync(conversations, new Address(Platform.Discord, Survivor(i)), reader)).Where(e => e.Kind == nameof(Sender.Survivor)).Select(e => e.Text).ToList();
            for (var j = 0; j < each; j++)
            {
                var copies = words.Count(w => w == Words(i, j));
                twice += copies > 1 ? 1 : 0;
                lost += copies == 0 ? 1 : 0;
            }

            toldTwice += Math.Max(0, PostsTo("dm-" + Survivor(i)).Count - words.Count);
        }

        return (lost, twice, toldTwice);
    }

    /// <summary>
    /// Every text the bots posted to a channel (a DM channel is "dm-" and the user id): each message Discord created
    /// there, so what the person sees. A post that repeated a recent nonce created nothing (Discord returned the first
    /// message), so it is not one; those are counted apart (<see cref="Deduplicated"/>).
    /// </summary>
    private List<string> PostsTo(string channel) => [.. _discord.CallsTo("POST", $"/channels/{channel}/messages").Where(c => !c.Deduplicated).Select(c => JsonText.Of(c.Json))];

    /// <summary>Posts Discord dropped as repeats of a recent nonce: a reply sent again after a kill or a takeover, shown once.</summary>
    private int Deduplicated() => _discord.CallsTo("POST", "/channels/").Count(c => c.Deduplicated);

    /// <summary>Nothing Discord would refuse, but an answer after its 3 s (10062) or an IDENTIFY sooner than 5 s after another (op 9): a slow machine.</summary>
    private void AssertNothingRefused()
    {
        var refused = _discord.Refusals.Where(r => !r.StartsWith("10062:", StringComparison.Ordinal) && !r.StartsWith("op 9:", StringComparison.Ordinal)).ToList();
        Assert.True(refused.Count == 0, "Discord refused: " + string.Join("; ", refused));
    }

    /// <summary>No process logged the token, a survivor's words or a platform user id (invariant 2, and the brief).</summary>
    private void AssertLogsClean()
    {
        foreach (var bot in _bots.All)
        {
            Assert.DoesNotContain(FakeDiscord.DefaultToken, bot.Errors, StringComparison.Ordinal);
            Assert.DoesNotContain("still worries me", bot.Errors, StringComparison.Ordinal);
            Assert.DoesNotContain(Survivor(0), bot.Errors, StringComparison.Ordinal);
            Assert.DoesNotContain(Volunteer(0), bot.Errors, StringComparison.Ordinal);
        }
    }

    private Task WaitAsync(Func<bool> done, string what, ConsoleProcess? bot = null, double seconds = 90) =>
        WaitAsync(() => Task.FromResult(done()), what, bot, seconds);

    /// <summary>Waits for something the bots do (never a fixed sleep); a timeout shows the processes' log tails.</summary>
    private async Task WaitAsync(Func<Task<bool>> done, string what, ConsoleProcess? bot = null, double seconds = 90)
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (!await done())
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                var logs = string.Join("\n", (bot is null ? _bots.All : [bot]).Select((b, n) => $"--- log tail of process {n}:\n{b.Errors[Math.Max(0, b.Errors.Length - 3000)..]}"));
                throw new Xunit.Sdk.XunitException($"Waited {seconds} s for {what}. Refused: {string.Join("; ", _discord.Refusals)}\n{logs}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan atMost)
    {
        var until = DateTimeOffset.UtcNow + atMost;
        while (!await condition() && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(50);
        }
    }

    private static string Volunteer(int i) => $"42{i:D16}";

    private static string Survivor(int i) => $"71{i:D16}";

    private static string Words(int i, int j) => $"Wren {i}-{j}: what happened in session {j} still worries me";

    private enum ClaimAnswer
    {
        None,
        Claimed,
        Taken,
    }

    [GeneratedRegex("consent:pseudonym:[0-9]+")]
    private static partial Regex ConsentId();

    [GeneratedRegex("Wren [0-9]+-[0-9]+:")]
    private static partial Regex WordsIn();

    [GeneratedRegex("claim:([0-9]+)")]
    private static partial Regex ClaimId();
}

public sealed class TwoDiscordShardsOnSqlite(ITestOutputHelper output) : TwoDiscordShardsTests(Store.Sqlite, output);

public sealed class TwoDiscordShardsOnPostgres(ITestOutputHelper output) : TwoDiscordShardsTests(Store.Postgres, output), IOnPostgres;
