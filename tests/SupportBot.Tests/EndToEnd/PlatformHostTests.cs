using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.EndToEnd;

/// <summary>The real host process with a platform adapter configured, against a loopback fake of the platform.</summary>
public sealed class PlatformHostTests : IDisposable
{
    private const string Token = "host-test-token.SECRET-never-logged";
    private readonly TempFolder _folder = new("host");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_rejected_discord_token_stops_the_process_with_a_clear_error_and_a_failure_exit_code()
    {
        await using var discord = await FakeDiscord.StartAsync();
        discord.Token = Token;
        discord.CloseOnIdentify = 4004;

        await using var bot = ConsoleProcess.Start(_folder.Path,
            $"--Discord:Token={Token}", "--Discord:ApplicationId=800000000000000001", $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}");
        var exit = await bot.WaitForExitAsync();

        Assert.Equal(3, exit);
        Assert.Contains("4004", bot.Errors, StringComparison.Ordinal);
        Assert.Contains("Discord:Token", bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, bot.Errors, StringComparison.Ordinal);
        Assert.Equal(1, discord.Connections);
    }

    [Fact]
    public async Task With_discord_configured_the_console_adapter_does_not_run()
    {
        await using var discord = await FakeDiscord.StartAsync();
        discord.Token = Token;

        await using var bot = ConsoleProcess.Start(_folder.Path,
            $"--Discord:Token={Token}", "--Discord:ApplicationId=800000000000000001", $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}");
        await FakeDiscord.WaitAsync(() => discord.Frames.FirstOrDefault(f => f.Op == 2), "IDENTIFY", seconds: 20);
        await bot.SendAsync("alice: /help");

        Assert.Equal(0, await bot.TerminateAsync());
        Assert.Empty(bot.Unread());
    }
}
