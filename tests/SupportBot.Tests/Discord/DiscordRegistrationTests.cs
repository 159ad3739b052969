using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Discord;

namespace SupportBot.Tests.Discord;

public sealed class DiscordRegistrationTests
{
    [Fact]
    public void The_adapter_is_added_only_when_a_token_is_configured()
    {
        var without = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Assert.False(without.AddDiscordAdapterIfConfigured());
        Assert.DoesNotContain(without.Services, d => d.ServiceType == typeof(IChatAdapter));

        var with = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        with.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Discord:Token"] = "t", ["Discord:ApplicationId"] = "1" });
        Assert.True(with.AddDiscordAdapterIfConfigured());
        Assert.Contains(with.Services, d => d.ServiceType == typeof(IChatAdapter));
        Assert.Contains(with.Services, d => d.ServiceType == typeof(IHostedService));
    }

    [Theory]
    [InlineData("Discord:ApplicationId", "", "Discord:ApplicationId is required")]
    [InlineData("Discord:ShardId", "1", "Discord:ShardId")]
    [InlineData("Discord:ApiBaseUrl", "not a url", "Discord:ApiBaseUrl")]
    [InlineData("Discord:VolunteerRoleId", "600000000000000001", "Discord:GuildId")]
    public void A_bad_setting_stops_the_start_with_a_message_naming_the_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Discord:Token"] = DiscordRig.Token, ["Discord:ApplicationId"] = "1", [key] = value };
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddDiscordAdapter();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DiscordOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(DiscordRig.Token, error.Message, StringComparison.Ordinal);
    }
}
