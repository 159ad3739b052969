using SupportBot.Tests.Support;

namespace SupportBot.Tests.EndToEnd;

/// <summary>
/// The real process builds its triage detector while it starts: a survivor writing at that moment still gets the
/// crisis lines, and broken triage files still stop it with the file and line.
/// </summary>
public sealed class TriageAtStartTests : IDisposable
{
    private const string BrokenModel = "{\n  \"classes\": [\"none\"],\n  \"threshold\": 0.5,\n  \"bias\": [0],\n  \"top\": {},\n  \"weights\": {}\n}\n";
    private readonly TempFolder _folder = new("e2e-triage");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_first_direct_message_written_while_the_bot_starts_gets_the_crisis_lines()
    {
        // Written before the process has read anything: the console reads it as soon as it runs.
        await using var bot = ConsoleProcess.Start(_folder.Path);

        var answer = await bot.SayAsync("bea (dm): i wanna kms", "988");

        Assert.StartsWith("[dm bea]", answer[0], StringComparison.Ordinal);
        Assert.Equal(0, await bot.EndInputAsync());
    }

    [Fact]
    public async Task A_broken_model_file_stops_the_running_bot_with_exit_2_naming_the_file_and_line()
    {
        var prompts = BrokenPrompts();

        await using var bot = ConsoleProcess.Start(_folder.Path, $"--Content:Path={prompts}");

        Assert.Equal(2, await bot.WaitForExitAsync());
        Assert.Contains("SupportBot cannot start: a content file is broken.", bot.Errors, StringComparison.Ordinal);
        Assert.Contains("triage-model.json", bot.Errors, StringComparison.Ordinal);
        Assert.Contains("line 2", bot.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_waits_for_the_triage_files_and_exits_2_when_they_are_broken()
    {
        var prompts = BrokenPrompts();

        await using var check = ConsoleProcess.Start(_folder.Path, "--check", $"--Content:Path={prompts}");

        Assert.Equal(2, await check.WaitForExitAsync());
        Assert.Contains("triage-model.json", check.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain(check.Unread(), l => l.Contains("usable", StringComparison.Ordinal));
    }

    private string BrokenPrompts()
    {
        var prompts = Path.Combine(_folder.Path, "prompts");
        CopyDirectory(TestPaths.Prompts, prompts);
        File.WriteAllText(Path.Combine(prompts, "triage-model.json"), BrokenModel);
        return prompts;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
