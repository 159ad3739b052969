using System.Globalization;
using SupportBot.Core;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>A survivor's message that lands while a volunteer's claim commits must reach that volunteer, one way or the other.</summary>
public abstract class ClaimRaceTests : IDisposable
{
    // A thousand races commit some eight thousand transactions; on a memory file system (where there is one) the
    // fsync of each costs nothing, and the race itself is the same: SQLite's locking does not depend on the disk.
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(
        Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "supportbot-race-" + Guid.NewGuid().ToString("N"))).FullName;

    private readonly CoreHarness _core;

    protected ClaimRaceTests(Store store) =>
        _core = new CoreHarness(settings: new Dictionary<string, string?> { ["Storage:Path"] = Path.Combine(_folder, "race.db") }, store: store);

    public void Dispose()
    {
        _core.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [StoreFact]
    public async Task A_message_racing_a_claim_reaches_the_claimer_in_the_transcript_or_relayed_in_all_1000_races()
    {
        var missed = new List<int>();
        var relayedCount = 0;
        for (var i = 0; i < 1_000; i++)
        {
            var survivor = Say.Member($"s{i}");
            var volunteer = Say.Volunteer($"v{i}");
            var id = await _core.Bot.QueueDisclosureAsync(survivor, "first words");
            var words = $"race message {i.ToString(CultureInfo.InvariantCulture)}";
            using var start = new ManualResetEventSlim();
            // A random head start on either side sweeps the claim's commit across every step of the message's handling.
            var dmDelay = Random.Shared.Next(0, 100_000);
            var claimDelay = Random.Shared.Next(0, 100_000);
            var dm = Task.Run(async () =>
            {
                start.Wait();
                Thread.SpinWait(dmDelay);
                return await _core.Bot.HandleAsync(Say.Dm(survivor, words), default);
            });
            var claim = Task.Run(async () =>
            {
                start.Wait();
                Thread.SpinWait(claimDelay);
                return await _core.Bot.HandleAsync(Say.Press(volunteer, $"claim:{id}"), default);
            });
            start.Set();
            var replies = (await dm).Concat(await claim).ToList();

            var toClaimer = replies.Where(r => r.Audience == new Audience.Direct(volunteer.Address)).Sum(r => RawCount(r.Text(), words));
            if (toClaimer != 1)
            {
                missed.Add(i);
            }

            if ((await dm).Any(r => r.Audience == new Audience.Direct(volunteer.Address)))
            {
                relayedCount++;
            }
        }

        Assert.True(missed.Count == 0, $"{missed.Count} of 1000 racing messages never reached the claimer ({relayedCount} were relayed after the claim)");
        // Both orders happened, so the race was really run (otherwise every message was on one side of the claim).
        Assert.InRange(relayedCount, 1, 999);
    }

    private static int RawCount(string text, string words)
    {
        var count = 0;
        for (var at = text.IndexOf(words, StringComparison.Ordinal); at >= 0; at = text.IndexOf(words, at + 1, StringComparison.Ordinal))
        {
            // "race message 1" is also the start of "race message 10": count only whole ones.
            var end = at + words.Length;
            if (end == text.Length || !char.IsDigit(text[end]))
            {
                count++;
            }
        }

        return count;
    }
}

public sealed class ClaimRaceOnSqlite() : ClaimRaceTests(Store.Sqlite);

public sealed class ClaimRaceOnPostgres() : ClaimRaceTests(Store.Postgres), IOnPostgres;
