using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SupportBot.Core;

namespace SupportBot.Slack;

public static class SlackServiceCollectionExtensions
{
    /// <summary>Adds the Slack adapter when Slack:BotToken and Slack:AppToken or Slack:SigningSecret are set.</summary>
    public static bool AddSlackAdapterIfConfigured(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetSection(SlackOptions.Section).Get<SlackOptions>() is not { IsEnabled: true })
        {
            return false;
        }

        builder.Services.AddSlackAdapter();
        return true;
    }

    public static IServiceCollection AddSlackAdapter(this IServiceCollection services)
    {
        services.AddOptions<SlackOptions>().BindConfiguration(SlackOptions.Section)
            .Validate(o => o.IsEnabled, "Slack:BotToken and either Slack:AppToken (Socket Mode) or Slack:SigningSecret (HTTP mode) are required.")
            .Validate(o => Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "https" or "http",
                "Slack:ApiBaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.AppToken.Length == 0 || o.AppToken.StartsWith("xapp-", StringComparison.Ordinal),
                "Slack:AppToken must be an app-level token (xapp-…).")
            .Validate(o => o.SocketConnections is >= 1 and <= SlackOptions.MaxSocketConnections,
                "Slack:SocketConnections must be 1 to 10: Slack allows an app at most ten Socket Mode connections.")
            .ValidateOnStart();
        services.AddOptions<SlackOptions>().PostConfigure<IConfiguration>((o, configuration) =>
        {
            // HTTP mode listens where Slack:Urls says, else where the host's --urls says.
            if (o.Urls.Length == 0)
            {
                o.Urls = configuration["urls"] ?? "http://localhost:3000";
            }
        });
        services.AddSingleton<SlackApi>();
        services.AddSingleton<SlackVolunteers>();
        services.AddSingleton<SlackActors>();
        services.AddSingleton<SlackSender>();
        services.AddSingleton<IChatAdapter>(sp => sp.GetRequiredService<SlackSender>());
        services.AddSingleton<SlackResponder>();
        services.AddSingleton<SlackHttpEndpoint>();
        services.AddSingleton<SlackConnection>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackConnection>());
        return services;
    }
}
