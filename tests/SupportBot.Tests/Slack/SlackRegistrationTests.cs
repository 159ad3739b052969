using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SupportBot.Core;
using SupportBot.Slack;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

public sealed class SlackRegistrationTests
{
    [Theory]
    [InlineData("xoxb-1", "xapp-1", "", true)]
    [InlineData("xoxb-1", "", "secret", true)]
    [InlineData("xoxb-1", "", "", false)]
    [InlineData("", "xapp-1", "secret", false)]
    public void The_adapter_is_registered_only_when_its_credentials_are_set(string bot, string app, string secret, bool expected)
    {
        var builder = Host.CreateApplicationBuilder([$"--Slack:BotToken={bot}", $"--Slack:AppToken={app}", $"--Slack:SigningSecret={secret}"]);

        var added = builder.AddSlackAdapterIfConfigured();

        Assert.Equal(expected, added);
        Assert.Equal(expected, builder.Services.Any(d => d.ServiceType == typeof(IChatAdapter)));
    }

    [Fact]
    public async Task A_wrong_bot_token_stops_the_adapter_with_a_clear_error_that_does_not_show_the_token()
    {
        const string Wrong = "xoxb-wrong-token-SECRET9";
        await using var host = await SlackTestHost.StartAsync(configure: s => s.PostConfigure<SlackOptions>(o => o.BotToken = Wrong), waitUntilReady: false);

        var error = await Assert.ThrowsAsync<SlackApiException>(() => host.Connection.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("invalid_auth", error.Error);
        Assert.True(error.IsConfigurationError);
        Assert.Empty(host.Slack.CallsTo("apps.connections.open"));
        Assert.DoesNotContain(Wrong, host.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeSlack.AppToken, host.Logs.AllText, StringComparison.Ordinal);
    }
}
