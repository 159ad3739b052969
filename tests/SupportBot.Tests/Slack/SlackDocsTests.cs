using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Slack;

public sealed partial class SlackDocsTests
{
    [Fact]
    public void The_slack_manifest_in_the_readme_lists_exactly_the_bots_commands()
    {
        using var services = new ServiceCollection()
            .AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
            .AddLogging()
            .AddSupportBotCore(ContentCatalog.Load(TestPaths.Prompts))
            .BuildServiceProvider();
        var commands = services.GetRequiredService<Bot>().Commands.Select(c => c.Name).Order(StringComparer.Ordinal).ToList();

        var manifest = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var listed = CommandPattern().Matches(manifest).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(commands, listed);
    }

    [GeneratedRegex(@"- command: /([a-z]+)")]
    private static partial Regex CommandPattern();
}
