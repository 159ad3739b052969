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

        foreach (var message in SlackRenderer.Render(reply))
        {
            await api.PostMessageAsync(channel, message, ct);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A form reached Slack without an interaction to open it from; it was left out")]
    private partial void LogFormWithoutTrigger();
}
