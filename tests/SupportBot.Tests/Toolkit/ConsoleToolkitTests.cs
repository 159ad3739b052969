using SupportBot.Tests.Support;

namespace SupportBot.Tests.Toolkit;

/// <summary>Issue 13 on the console, through the real process: transfer by command, block, coordinators, stats.</summary>
public sealed class ConsoleToolkitTests : IDisposable
{
    private readonly TempFolder _folder = new("console-toolkit");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Transfer_block_blocks_stats_and_unblock_run_on_the_console()
    {
        await using var bot = ConsoleProcess.Start(_folder.Path, "--Console:Volunteers:0=vol", "--Console:Volunteers:1=sam", "--Console:Coordinators:0=cora");
        await bot.DiscloseAsync("alice", "My mentor Tangerine made me promise not to tell");
        await bot.SayAsync("vol: /claim 1", "[volunteers] #1");

        var offer = await bot.SayAsync("vol: /transfer 1 sam", "asks you to take over");
        Assert.Contains(offer, l => l.StartsWith("[dm sam]", StringComparison.Ordinal) && l.Contains("#1", StringComparison.Ordinal));
        Assert.DoesNotContain(offer, l => l.Contains("Tangerine", StringComparison.Ordinal));

        var accepted = await bot.SayAsync("sam: /transfer accept 1", "A new volunteer is joining");
        Assert.Contains(accepted, l => l.StartsWith("[dm sam]", StringComparison.Ordinal) && l.Contains("Tangerine", StringComparison.Ordinal));
        Assert.StartsWith("[dm alice]", accepted[^1], StringComparison.Ordinal);

        await bot.SayAsync("vol: /block 1 1d kept shouting", "is blocked until");
        var blocked = await bot.SayAsync("alice (dm): hello?", "take your messages");
        Assert.StartsWith("[dm alice]", blocked[^1], StringComparison.Ordinal);

        var list = await bot.SayAsync("cora: /blocks", "kept shouting");
        Assert.All(list.Where(l => l.Contains("shouting", StringComparison.Ordinal)), l => Assert.StartsWith("[only cora]", l, StringComparison.Ordinal));
        await bot.SayAsync("sam: /stats", "Only coordinators");
        var stats = await bot.SayAsync("cora: /stats", "Last 30 days");
        Assert.Contains(stats, l => l.Contains("- blocked: 1", StringComparison.Ordinal));
        await bot.SayAsync("cora: /unblock 1", "is lifted");

        Assert.Equal(0, await bot.EndInputAsync());
        Assert.DoesNotContain("Tangerine", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("shouting", bot.Errors, StringComparison.Ordinal);
    }
}
