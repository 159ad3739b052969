using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>Registers the core's commands with Discord: in the configured guild (instant) or globally.</summary>
internal sealed partial class DiscordCommandRegistration(Bot bot, DiscordApi api, IOptions<DiscordOptions> options, ILogger<DiscordCommandRegistration> logger)
{
    /// <summary>Overwrites the registered commands. Only a refused token (401) escapes: the bot still answers commands registered earlier.</summary>
    public async Task RegisterAsync(CancellationToken ct)
    {
        var guild = options.Value.GuildId.Length > 0 ? options.Value.GuildId : null;
        var commands = bot.Commands.Select(spec => new ApplicationCommand(
            spec.Name,
            DiscordRenderer.Cut(spec.Description, 100),
            ApplicationCommandType.ChatInput,
            spec.Options.OrderByDescending(o => o.Required) // Discord wants required options first; args are mapped by name.
                .Select(o => new ApplicationCommandOption(TypeOf(o.Kind), o.Name, DiscordRenderer.Cut(o.Description, 100), o.Required,
                    o.Choices?.Take(25).Select(c => new CommandChoice(c, c)).ToList(), o.Kind == OptionKind.Number ? 1 : null))
                .ToList(),
            Contexts: guild is null ? [InteractionContextType.Guild, InteractionContextType.BotDm] : null, // guild commands cannot be offered in DMs at all
            IntegrationTypes: guild is null ? [0] : null, // 0: installed to a guild
            // "0": hidden from members until an admin grants the command to the volunteer role (Server Settings → Integrations).
            // The bot still checks who may run it; this only keeps the list of members clean.
            DefaultMemberPermissions: spec.ForVolunteers ? "0" : null)).ToList();
        try
        {
            await api.OverwriteCommandsAsync(guild, commands, ct);
            LogCommandsRegistered(commands.Count, guild is null ? "globally" : "in the configured guild");
        }
        catch (DiscordApiException e) when (e.Status != HttpStatusCode.Unauthorized)
        {
            // A broken registration must not silence the bot.
            LogCommandsFailed(e.Message);
        }
    }

    private static ApplicationCommandOptionType TypeOf(OptionKind kind) => kind switch
    {
        OptionKind.Number => ApplicationCommandOptionType.Integer,
        OptionKind.Person => ApplicationCommandOptionType.User,
        _ => ApplicationCommandOptionType.String,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Count} Discord commands {Where}")]
    private partial void LogCommandsRegistered(int count, string where);

    [LoggerMessage(Level = LogLevel.Error, Message = "Registering Discord commands failed: {Problem}")]
    private partial void LogCommandsFailed(string problem);
}
