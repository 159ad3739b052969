using System.Text.RegularExpressions;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.MultiProcess;

/// <summary>
/// The bot processes one multi-process test starts on its shared database: stopped cleanly at the end of the test
/// (each must exit 0), killed ones left alone, every one disposed with the test. Also reads the inbox lease owner a
/// process logs once its lease loop runs, which tests compare with the rows it left behind.
/// </summary>
internal sealed partial class BotProcesses : IAsyncDisposable
{
    private readonly List<ConsoleProcess> _started = [];
    private readonly HashSet<ConsoleProcess> _killed = [];

    public ConsoleProcess this[int index] => _started[index];

    public IReadOnlyList<ConsoleProcess> All => _started;

    public ConsoleProcess Start(string folder, string[] args)
    {
        var bot = ConsoleProcess.Start(folder, args);
        _started.Add(bot);
        return bot;
    }

    /// <summary>kill -9: the process gets no chance to finish anything.</summary>
    public void Kill(ConsoleProcess bot)
    {
        bot.Kill();
        _killed.Add(bot);
    }

    /// <summary>Stops every process not killed, as a service manager would, and asserts each exited cleanly.</summary>
    public async Task StopAsync()
    {
        foreach (var bot in _started.Except(_killed))
        {
            Assert.Equal(0, await bot.TerminateAsync());
        }
    }

    public static string LeaseOwnerOf(ConsoleProcess bot) => LeaseOwnerOrNull(bot) ?? throw new InvalidOperationException("No lease owner logged.");

    public static string? LeaseOwnerOrNull(ConsoleProcess bot) => OwnerLine().Match(bot.Errors) is { Success: true } m ? m.Groups[1].Value : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var bot in _started)
        {
            await bot.DisposeAsync();
        }
    }

    [GeneratedRegex(@"Inbox leases held as ([0-9A-F]+)")]
    private static partial Regex OwnerLine();
}
