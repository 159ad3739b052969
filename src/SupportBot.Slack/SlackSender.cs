using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;

namespace SupportBot.Slack;

/// <summary>
/// Delivers replies on Slack as messages: to a user's DM (opened once and remembered) or the volunteer channel.
/// Answers in place to an interaction (response_url, modals) are the <see cref="SlackResponder"/>'s job.
/// </summary>
internal sealed partial class SlackSender(SlackApi api, IOptions<SlackOptions> options, ILogger<SlackSender> logger) : IChatAdapter
{
    private readonly ConcurrentDictionary<string, string> _directChannels = new(StringComparer.Ordinal);

    /// <summary>How many DM channels are remembered at most; a forgotten one is opened again (Slack returns the same).</summary>
    internal int MaxDirectChannels { get; init; } = 10_000;

    internal int RememberedDirectChannels => _directChannels.Count;

    public Platform Platform => Platform.Slack;

    public async Task SendAsync(Reply reply, CancellationToken ct)
    {
        string channel;
        switch (reply.Audience)
        {
            case Audience.Volunteers:
                if (options.Value.VolunteerChannelId.Length == 0)
                {
                    LogNoVolunteerChannel();
                    return;
                }

                channel = options.Value.VolunteerChannelId;
                break;
            case Audience.Direct { User.Platform: Platform.Slack } direct:
                channel = await DirectChannelAsync(direct.User.UserId, ct);
                break;
            case Audience.OnlyActor { User.Platform: Platform.Slack } only:
                channel = await DirectChannelAsync(only.User.UserId, ct);
                break;
            default:
                return;
        }

        if (reply.Blocks.OfType<FormBlock>().Any())
        {
            // A modal needs the trigger of an interaction; a reply that reached us through the router has none.
            LogFormWithoutTrigger();
        }

        var part = 0;
        foreach (var message in SlackRenderer.Render(reply))
        {
            var nonce = reply.Nonce is null ? null : $"{reply.Nonce}-{part++}";
            if (nonce is not null && reply.TakenOver && await PostedBeforeAsync(channel, nonce, ct))
            {
                continue;
            }

            await api.PostMessageAsync(channel, message, nonce, ct);
        }
    }

    /// <summary>
    /// For a reply taken over from a process that may have sent it before it was killed: whether the channel (a DM, or
    /// the volunteer channel) holds it already. Slack has no nonce of its own, so the bot reads its latest messages:
    /// scope im:history for a DM (which receiving DMs needs anyway), groups:history (channels:history if public) for the
    /// volunteer channel. When the read fails (that scope not granted, say), the reply is sent: twice is better than never.
    /// </summary>
    private async Task<bool> PostedBeforeAsync(string channel, string nonce, CancellationToken ct)
    {
        try
        {
            return await api.WasPostedAsync(channel, nonce, ct);
        }
        catch (SlackApiException e)
        {
            LogHistoryFailed(e.Error);
            return false;
        }
    }

    private async Task<string> DirectChannelAsync(string userId, CancellationToken ct)
    {
        if (_directChannels.TryGetValue(userId, out var channel))
        {
            return channel;
        }

        channel = await api.OpenDirectChannelAsync(userId, ct);
        if (_directChannels.Count >= MaxDirectChannels)
        {
            // Only a cache: dropping it all now and then keeps it from growing with every person ever seen.
            _directChannels.Clear();
        }

        _directChannels[userId] = channel;
        return channel;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A volunteer notice was not sent on Slack: Slack:VolunteerChannelId is not set")]
    private partial void LogNoVolunteerChannel();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading a Slack channel's latest messages before sending a reply taken over failed ({Error}); it is sent, perhaps a second time")]
    private partial void LogHistoryFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A form reached Slack without an interaction to open it from; it was left out")]
    private partial void LogFormWithoutTrigger();
}
