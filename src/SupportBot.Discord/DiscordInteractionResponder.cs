using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// Handles an interaction: the core's replies to the actor answer it in place (<see cref="DiscordInteractionAnswer"/>),
/// every other reply goes through the <see cref="ReplyRouter"/>. Each reply is delivered on its own, so one closed
/// DM (403) does not cost the other recipients their messages: the survivor's crisis lines, or "a volunteer joined".
/// </summary>
internal sealed partial class DiscordInteractionResponder(
    Bot bot, ReplyRouter router, DiscordApi api, DiscordVolunteers volunteers, TimeProvider time, ILogger<DiscordInteractionResponder> logger)
{
    private readonly DiscordLateAnswers _late = new(time, logger);

    /// <summary>Starts the 3 s clock of an interaction that just arrived, before it waits for its turn.</summary>
    public DiscordInteractionAnswer Begin(WireInteraction interaction, CancellationToken ct) =>
        DiscordInteractionAnswer.Start(interaction, api, time, _late, logger, ct);

    public async Task RespondAsync(DiscordInteractionAnswer answer, WireUser user, CancellationToken ct)
    {
        try
        {
            var interaction = answer.Interaction;
            IReadOnlyList<Reply>? replies;
            try
            {
                var isVolunteer = await volunteers.IsVolunteerAsync(user.Id, interaction.Member?.Roles, ct);
                var actor = DiscordInbound.ToActor(user, interaction.Member, isVolunteer)
                    with { IsCoordinator = await volunteers.IsCoordinatorAsync(user.Id, interaction.Member?.Roles, ct) };
                replies = DiscordInbound.ToInbound(interaction, actor, bot.Commands) is { } inbound
                    ? await bot.HandleOnceAsync(inbound, ct)
                    : [];
            }
            finally
            {
                await answer.HandledAsync();
            }

            if (replies is null)
            {
                return; // Answered when it first came (a resumed session replays it): Discord refuses a second answer.
            }

            var address = new Address(Platform.Discord, user.Id);
            foreach (var reply in replies)
            {
                var inPlace = reply.Audience is Audience.OnlyActor only && only.User == address;
                try
                {
                    if (inPlace)
                    {
                        await answer.AnswerAsync(reply, ct);
                    }
                    else
                    {
                        await router.DeliverAsync(reply, ct);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    LogFailed(DiscordApiException.KindOf(e), "reply");
                }
            }

            await answer.FinishAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            LogFailed(DiscordApiException.KindOf(e), "interaction");
        }
        finally
        {
            answer.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Discord {What} failed ({Kind})")]
    private partial void LogFailed(string kind, string what);
}
