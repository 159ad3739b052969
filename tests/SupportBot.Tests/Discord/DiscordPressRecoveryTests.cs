using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

/// <summary>
/// Invariant 5 for a button press, on the real process: a survivor's consent press that the bot deferred ("working on
/// it") but had not yet committed when it was killed with -9 is not lost. Its sequence was not claimed, so Discord sends
/// it again when the restarted bot resumes the session; the press is handled then, and its answer fills the deferred
/// one, which Discord keeps open for 15 minutes.
/// </summary>
public sealed partial class DiscordPressRecoveryTests : IDisposable
{
    private const string SurvivorId = "720000000000000001";
    private const string SurvivorName = "survivor";
    private readonly TempFolder _folder = new("discord-press");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_deferred_consent_press_of_a_process_killed_before_its_commit_is_handled_after_the_resume_and_answered_in_place()
    {
        await using var fake = await FakeDiscord.StartAsync();
        fake.HeartbeatIntervalMs = 2000;

        // The welcome takes long to reach Discord, so the survivor's lane is busy and their press waits behind it: after
        // 2 s the bot defers the press, and it is killed before the press is handled.
        fake.Respond = call => call.Method == "POST" && call.Path == $"/channels/dm-{SurvivorId}/messages"
            ? new FakeResponse(200, $"{{\"id\":\"{fake.NewMessageId()}\",\"channel_id\":\"dm-{SurvivorId}\"}}", Delay: TimeSpan.FromSeconds(60))
            : null;
        var press = DiscordRig.NextId();
        await using (var first = StartBot(fake))
        {
            await FakeDiscord.WaitAsync(() => fake.IsLive(0) ? "" : null, "a live session", seconds: 90);
            await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), SurvivorId, SurvivorName, "is anyone there"));
            var welcome = await fake.WaitForCallAsync("POST", $"/channels/dm-{SurvivorId}/messages", c => ConsentId().IsMatch(c.Body), seconds: 90);
            await fake.DispatchAsync("INTERACTION_CREATE",
                DiscordRig.Component(press, ConsentId().Match(welcome.Body).Value, null, DiscordRig.User(SurvivorId, SurvivorName)));
            var deferral = await fake.WaitForCallAsync("POST", $"/interactions/{press}/", seconds: 90);
            Assert.Contains("\"type\":6", deferral.Body, StringComparison.Ordinal); // "working on it", the press not yet handled
            Assert.Equal(0, QueuedConversations());
            first.Kill();
        }

        fake.Respond = null;
        await using var second = StartBot(fake);
        var queued = await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", seconds: 90);
        var answer = await FakeDiscord.WaitAsync(
            () => fake.Calls.FirstOrDefault(c => c.Path.StartsWith($"/webhooks/{DiscordRig.ApplicationId}/interaction-token-{press}", StringComparison.Ordinal)),
            "the press's answer", seconds: 90);

        Assert.Equal(1, QueuedConversations());
        Assert.Equal(1, fake.Resumed); // the session resumed: Discord replayed the press the killed process had not claimed
        Assert.Equal(1, fake.SessionsStarted);
        Assert.DoesNotContain("is anyone there", queued.Body, StringComparison.Ordinal);
        Assert.NotEmpty(answer.Body);
        // The replayed press's own initial response is refused as one already given (40060: the killed process deferred
        // it); Discord refuses nothing else, and the answer went where the deferral left it open (an unanswered
        // interaction's webhook would be refused with 10015).
        Assert.Single(fake.Refusals, r => r.StartsWith("40060:", StringComparison.Ordinal));
        Assert.Single(fake.Refusals);
    }

    private ConsoleProcess StartBot(FakeDiscord fake) => ConsoleProcess.Start(_folder.Path,
        $"--Discord:Token={FakeDiscord.DefaultToken}", $"--Discord:ApplicationId={DiscordRig.ApplicationId}", $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
        $"--Discord:VolunteerChannelId={DiscordRig.VolunteerChannelId}", $"--Storage:EncryptionKey={Convert.ToBase64String(_key)}");

    private long QueuedConversations()
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _folder.File("supportbot.db"), Pooling = false }.ToString());
        db.Open();
        return db.ExecuteScalar<long>("SELECT COUNT(*) FROM Conversations WHERE Status = 'Queued'");
    }

    [GeneratedRegex("consent:pseudonym:[0-9]+")]
    private static partial Regex ConsentId();
}
