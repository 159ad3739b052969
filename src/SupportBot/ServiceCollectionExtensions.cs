using SupportBot.ConsoleChat;
using SupportBot.Core;

namespace SupportBot;

internal static class ServiceCollectionExtensions
{
    public static IServiceCollection AddConsoleAdapter(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section);
        services.AddSingleton<ConsoleAdapter>();
        services.AddSingleton<IChatAdapter>(sp => sp.GetRequiredService<ConsoleAdapter>());
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleAdapter>());
        return services;
    }
}
