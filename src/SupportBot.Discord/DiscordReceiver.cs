using System.Text.Json;
using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// Takes the gateway's dispatches and hands each person's events to the core in order, in that person's lane:
/// people in parallel, so one survivor's slow reply (a 429 on their DM channel) never holds up another's.
/// Everything received is tracked, so stopping finishes it within <see cref="InFlightWork.Grace"/>: the gateway
/// will not deliver it again.
/// </summary>
internal sealed partial class DiscordReceiver : IDisposable
{
    private readonly Bot _bot;
    private readonly ReplyRouter _router;
    private readonly DiscordSender _sender;
    private readonly DiscordVolunteers _volunteers;
    private readonly DiscordInteractionResponder _interactions;
    private readonly ILogger<DiscordReceiver> _logger;
    private readonly InFlightWork _inFlight;
    private readonly PersonLanes _lanes;

    public DiscordReceiver(
        Bot bot,
        ReplyRouter router,
        DiscordSender sender,
        DiscordVolunteers volunteers,
        DiscordInteractionResponder interactions,
        TimeProvider time,
        ILogger<DiscordReceiver> logger)
    {
        _bot = bot;
        _router = router;
        _sender = sender;
        _volunteers = volunteers;
        _interactions = interactions;
        _logger = logger;
        _inFlight = new InFlightWork(time, logger);
        _lanes = new PersonLanes(_inFlight);
    }

    /// <summary>Called on the gateway's receive loop for every dispatch: decodes and queues, never waits for the work.</summary>
    public void OnDispatch(string name, JsonElement data, string? botUserId)
    {
        try
        {
            switch (name)
            {
                case "INTERACTION_CREATE":
                    if (data.Deserialize(DiscordJson.Default.WireInteraction) is not { } interaction || DiscordInbound.UserOf(interaction) is not { } user)
                    {
                        LogMalformed(name);
                        return;
                    }

                    var answer = _interactions.Begin(interaction, _inFlight.Token);
                    _lanes.Enqueue(new Address(Platform.Discord, user.Id), ct => _interactions.RespondAsync(answer, user, ct));
                    break;
                case "MESSAGE_CREATE":
                    if (data.Deserialize(DiscordJson.Default.WireMessage) is not { } message)
                    {
                        LogMalformed(name);
                        return;
                    }

                    switch (DiscordInbound.Classify(message, botUserId))
                    {
                        case DiscordInbound.MessageKind.DirectMessage:
                            _lanes.Enqueue(new Address(Platform.Discord, message.Author!.Id), ct => HandleDirectMessageAsync(message, ct));
                            break;
                        case DiscordInbound.MessageKind.Malformed:
                            LogMalformed(name);
                            break;
                    }

                    break;
            }
        }
        catch (JsonException)
        {
            LogMalformed(name);
        }
    }

    /// <summary>Finishes what was received, within the grace period; see <see cref="InFlightWork.DrainAsync"/>.</summary>
    public Task DrainAsync(CancellationToken ct = default) => _inFlight.DrainAsync(InFlightWork.Grace, ct);

    public void Dispose() => _inFlight.Dispose();

    private async Task HandleDirectMessageAsync(WireMessage message, CancellationToken ct)
    {
        try
        {
            var author = message.Author!;
            _sender.RememberDmChannel(author.Id, message.ChannelId);
            var actor = DiscordInbound.ToActor(author, null, await _volunteers.IsVolunteerAsync(author.Id, null, ct));
            foreach (var reply in await _bot.HandleAsync(DiscordInbound.ToDirectMessage(message, actor), ct))
            {
                // The router logs a failed delivery and goes on with the next reply.
                await _router.DeliverAsync(reply, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping; the grace period is over.
        }
        catch (Exception e)
        {
            LogFailed(DiscordApiException.KindOf(e));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a malformed Discord {Event}")]
    private partial void LogMalformed(string @event);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Discord direct message failed ({Kind})")]
    private partial void LogFailed(string kind);
}
