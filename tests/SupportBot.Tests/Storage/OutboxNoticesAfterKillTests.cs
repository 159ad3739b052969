using Dapper;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// Invariant 5 for the replies of a transfer (offer, acceptance, refusal), of a survivor's /end and /forget and of a
/// block, on the real process and a real SQLite file or PostgreSQL database (where the restarted process takes the
/// killed one's rows over once their lease of 3 s ran out): each stores its replies in its own commit
/// (<see cref="OutboxStore.WriteAsync"/>), so a process killed right after that commit
/// (<see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>) or once its handler returned
/// (<see cref="StorageOptions.TestFaultKillAfterHandled"/>), before it delivered anything, delivers them at its next
/// start, once, and the event it was handling is not handled again. "Once" is read after a sentinel: another survivor
/// queued after the restart, whose notice follows anything pending.
/// </summary>
public abstract class OutboxNoticesAfterKillTests(Store store) : IDisposable
{
    private const string Words = KillRestartRig.Words;
    private readonly KillRestartRig _rig = new(store, "vol", "sam");

    public void Dispose() => _rig.Dispose();

    public static TheoryData<string> KillPoints => [.. KillRestartRig.KillPoints];

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_transfer_offer_killed_right_after_its_commit_reaches_the_other_volunteer_and_the_asker_once(string fault)
    {
        await _rig.HeldByVolAsync();

        var printed = await KilledAsync(fault, "vol: /transfer 1 sam");
        Assert.DoesNotContain(printed, l => l.Contains("take over conversation #1", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("take over conversation #1");
        Assert.Single(lines, l => l.StartsWith("[dm sam] vol asks you to take over conversation #1", StringComparison.Ordinal));
        // The asker's own answer, which would have been in place, comes as a direct message.
        Assert.Single(lines, l => l.Contains("vol] I've asked them to take over #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_transfer_accepted_and_killed_right_after_its_commit_tells_both_volunteers_and_the_survivor_once(string fault)
    {
        await _rig.HeldByVolAsync();
        await using (var bot = _rig.Start())
        {
            await bot.SayAsync("vol: /transfer 1 sam", "take over conversation #1");
            Assert.Equal(0, await bot.EndInputAsync());
        }

        var printed = await KilledAsync(fault, "sam: /transfer accept 1");
        Assert.DoesNotContain(printed, l => l.Contains("A new volunteer is joining", StringComparison.Ordinal));
        Assert.DoesNotContain(printed, l => l.Contains("took over #1", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("A new volunteer is joining");
        Assert.Single(lines, l => l.StartsWith("[dm wren] A new volunteer is joining", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("[dm vol] sam took over #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("sam] #1 (", StringComparison.Ordinal) && l.Contains("is yours now", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("[dm sam]", StringComparison.Ordinal) && l.Contains(Words, StringComparison.Ordinal));
        // Not handled again: a second acceptance would find no offer waiting.
        Assert.DoesNotContain(lines, l => l.Contains("no handover of #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_transfer_declined_and_killed_right_after_its_commit_tells_the_holder_and_the_one_who_declined_once(string fault)
    {
        await _rig.HeldByVolAsync();
        await using (var bot = _rig.Start())
        {
            await bot.SayAsync("vol: /transfer 1 sam", "take over conversation #1");
            Assert.Equal(0, await bot.EndInputAsync());
        }

        var printed = await KilledAsync(fault, "sam: /transfer decline 1");
        Assert.DoesNotContain(printed, l => l.Contains("declined #1", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[dm vol] sam declined #1");
        Assert.Single(lines, l => l.StartsWith("[dm vol] sam declined #1. It is still yours.", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("sam] You declined #1", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("no handover of #1", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_survivors_end_killed_right_after_its_commit_tells_the_holder_and_the_survivor_once(string fault)
    {
        await _rig.HeldByVolAsync();

        var printed = await KilledAsync(fault, "wren: /end");
        Assert.DoesNotContain(printed, l => l.Contains("has ended the conversation", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[dm vol] The person in #1 has ended the conversation.");
        Assert.Single(lines, l => l.StartsWith("[dm vol] The person in #1 has ended the conversation.", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("wren] Your conversation is ended.", StringComparison.Ordinal));
        // Not handled again: a second /end would find nothing open.
        Assert.DoesNotContain(lines, l => l.Contains("don't have an open conversation", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_survivors_end_while_waiting_killed_right_after_its_commit_tells_the_channel_once(string fault)
    {
        await _rig.WaitingAsync();

        var printed = await KilledAsync(fault, "wren: /end");
        Assert.DoesNotContain(printed, l => l.Contains("no longer waiting", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[volunteers] #1 is no longer waiting.");
        Assert.Single(lines, l => l == "[volunteers] #1 is no longer waiting.");
        Assert.Single(lines, l => l.Contains("wren] Your conversation is ended.", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_survivors_forget_killed_right_after_its_commit_tells_the_holder_once_and_keeps_nothing_of_them(string fault)
    {
        await _rig.HeldByVolAsync();

        var printed = await KilledAsync(fault, "wren: /forget");
        Assert.DoesNotContain(printed, l => l.Contains("has ended the conversation", StringComparison.Ordinal));
        // The one row left to deliver is the holder's notice: the survivor's own answer, which would keep their address
        // after they asked for everything to go, is not stored, and nothing else of theirs is waiting.
        Assert.Equal(1, OutboxRows());

        var lines = await _rig.RestartedAsync("[dm vol] The person in #1 has ended the conversation.");
        var notice = Assert.Single(lines, l => l.StartsWith("[dm vol] The person in #1 has ended the conversation.", StringComparison.Ordinal));
        Assert.DoesNotContain(Words, notice, StringComparison.Ordinal);
        // Not handled again: a second /forget would say it had nothing stored.
        Assert.DoesNotContain(lines, l => l.StartsWith("[only wren]", StringComparison.Ordinal) || l.StartsWith("[dm wren]", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
        Assert.Equal(0, OutboxRows());
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_block_killed_right_after_its_commit_tells_the_holder_and_the_blocker_once(string fault)
    {
        await _rig.HeldByVolAsync();

        var printed = await KilledAsync(fault, "sam: /block 1 2d");
        Assert.DoesNotContain(printed, l => l.Contains("the person behind it is blocked", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[dm vol] #1 is closed: the person behind it is blocked for now.");
        Assert.Single(lines, l => l.StartsWith("[dm vol] #1 is closed: the person behind it is blocked for now.", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("sam] The person behind #1 is blocked until", StringComparison.Ordinal));
        // Not handled again: a second block would find them blocked already.
        Assert.DoesNotContain(lines, l => l.Contains("already blocked", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    [StoreTheory]
    [MemberData(nameof(KillPoints))]
    public async Task A_block_of_a_waiting_conversation_killed_right_after_its_commit_tells_the_channel_once(string fault)
    {
        await _rig.WaitingAsync();

        var printed = await KilledAsync(fault, "vol: /block 1");
        Assert.DoesNotContain(printed, l => l.Contains("the person behind it is blocked", StringComparison.Ordinal));

        var lines = await _rig.RestartedAsync("[volunteers] #1 is closed: the person behind it is blocked for now.");
        Assert.Single(lines, l => l == "[volunteers] #1 is closed: the person behind it is blocked for now.");
        Assert.Single(lines, l => l.Contains("vol] The person behind #1 is blocked until", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("already blocked", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith("] Claim #2", StringComparison.Ordinal));
    }

    /// <summary>Sends one line to a process started with the test fault, waits for the kill; every line it printed.</summary>
    private async Task<List<string>> KilledAsync(string fault, string line)
    {
        await using var killed = _rig.Start($"--Storage:{fault}=1");
        await killed.SendAsync(line);
        return await KillRestartRig.KilledAsync(killed);
    }

    /// <summary>Rows waiting in the outbox, read while no bot runs.</summary>
    private long OutboxRows()
    {
        using var db = _rig.Database.Core.Get<Database>().OpenAsync(default).GetAwaiter().GetResult();
        return db.ExecuteScalar<long>("SELECT COUNT(*) FROM Outbox");
    }
}

public sealed class OutboxNoticesAfterKillOnSqlite() : OutboxNoticesAfterKillTests(Store.Sqlite);

public sealed class OutboxNoticesAfterKillOnPostgres() : OutboxNoticesAfterKillTests(Store.Postgres), IOnPostgres;
