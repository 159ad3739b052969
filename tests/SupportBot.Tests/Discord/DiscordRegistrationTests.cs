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
    [InlineData("Discord:ShardIds", "0,0", "lists shard 0 twice")]
    [InlineData("Discord:ShardIds", "0,2", "with Discord:ShardCount 1 the shards are 0 to 0")]
    [InlineData("Discord:ShardIds", "0, x", "\"x\" is not one")]
    [InlineData("Discord:ShardIds", "-1", "\"-1\" is not one")]
    [InlineData("Discord:ShardCount", "0", "Discord:ShardCount must be at least 1")]
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

    [Theory]
    [InlineData("Discord:ShardIds", "1,0")]
    [InlineData("Discord:ShardIds", "[1, 0]")]
    [InlineData("Discord:ShardIds:0", "1")]
    public void Shard_ids_come_as_one_comma_separated_value_or_as_a_list(string key, string value)
    {
        var settings = new Dictionary<string, string?> { ["Discord:Token"] = DiscordRig.Token, ["Discord:ApplicationId"] = "1", ["Discord:ShardCount"] = "2", [key] = value };
        if (key.EndsWith(":0", StringComparison.Ordinal))
        {
            settings["Discord:ShardIds:1"] = "0";
        }

        Assert.Equal([0, 1], DiscordShardSet.Of(Bind(settings)));
    }

    [Fact]
    public void Discord_shard_id_alone_still_names_the_one_shard_this_process_runs()
    {
        var options = Bind(new Dictionary<string, string?> { ["Discord:Token"] = DiscordRig.Token, ["Discord:ApplicationId"] = "1", ["Discord:ShardCount"] = "3", ["Discord:ShardId"] = "2" });

        Assert.Equal([2], DiscordShardSet.Of(options));
        Assert.Equal("shard 2 of 3", DiscordShardSet.Describe(options));
    }

    private static DiscordOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddDiscordAdapter();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DiscordOptions>>().Value;
    }
}
