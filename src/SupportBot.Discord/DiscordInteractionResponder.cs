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

    /// <summary>
    /// Starts the 3 s clock of an interaction that just arrived, before it waits for its turn; <paramref name="replayed"/>
    /// when Discord sent it again on a resume.
    /// </summary>
    public DiscordInteractionAnswer Begin(WireInteraction interaction, bool replayed, CancellationToken ct) =>
        DiscordInteractionAnswer.Start(interaction, replayed, api, time, _late, logger, ct);

    /// <summary>
    /// Handles the interaction and answers it. <paramref name="handled"/> completes true once what it changed is durable
    /// (or it changed nothing), so its sequence may be claimed; false if it was not handled (stopping, a failure), so a
    /// restarted bot gets it again on the resume. A deferral tells Discord nothing durable: it only keeps the answer open.
    /// </summary>
    public async Task RespondAsync(DiscordInteractionAnswer answer, WireUser user, TaskCompletionSource<bool> handled, CancellationToken ct)
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
                handled.TrySetResult(true);
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

                if (inPlace)
                {
                    // Answered, or refused (as the router does, not tried again): a reply stored with the event's write goes.
                    await router.AnsweredInPlaceAsync(reply);
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
            handled.TrySetResult(false);
            answer.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Discord {What} failed ({Kind})")]
    private partial void LogFailed(string kind, string what);
}
