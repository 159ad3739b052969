using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SupportBot.Core;

namespace SupportBot.Discord;

public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Discord adapter when <c>Discord:Token</c> is set. A token without an application id is not
    /// skipped silently: validation stops the start with a message naming the missing key.
    /// </summary>
    public static bool AddDiscordAdapterIfConfigured(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration.GetSection(DiscordOptions.Section).Get<DiscordOptions>() is not { IsEnabled: true })
        {
            return false;
        }

        builder.Services.AddDiscordAdapter();
        return true;
    }

    public static IServiceCollection AddDiscordAdapter(this IServiceCollection services)
    {
        services.AddOptions<DiscordOptions>().BindConfiguration(DiscordOptions.Section)
            .Validate(o => !o.IsEnabled || o.ApplicationId.Length > 0, "Discord:ApplicationId is required when Discord:Token is set.")
            .Validate(o => Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out _), "Discord:ApiBaseUrl must be an absolute URL.")
            .Validate(o => o.VolunteerRoleId.Length == 0 || o.GuildId.Length > 0,
                "Discord:VolunteerRoleId needs Discord:GuildId: the role is looked up in that guild, without it volunteers writing in DMs are not recognised.")
            .Validate(o => o.CoordinatorRoleId.Length == 0 || o.GuildId.Length > 0,
                "Discord:CoordinatorRoleId needs Discord:GuildId: the role is looked up in that guild.")
            .Validate(o => o.GlobalRequestsPerSecond >= 1, "Discord:GlobalRequestsPerSecond must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<DiscordOptions>().PostConfigure<IConfiguration>(DiscordShardSet.ReadOneValue);
        services.AddSingleton<IValidateOptions<DiscordOptions>, DiscordShardValidation>();
        services.AddSingleton<DiscordApi>();
        services.AddSingleton<DiscordSender>();
        services.AddSingleton<IChatAdapter>(sp => sp.GetRequiredService<DiscordSender>());
        services.AddSingleton<DiscordVolunteers>();
        services.AddSingleton<DiscordInteractionResponder>();
        services.AddSingleton<DiscordSessionStore>();
        services.AddSingleton<DiscordIdentifyLimiter>();
        services.AddSingleton<DiscordOpenConversations>();
        services.AddSingleton<DiscordReceiver>();
        services.AddSingleton<DiscordCommandRegistration>();
        services.AddSingleton<DiscordConnection>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscordConnection>());
        return services;
    }
}
