using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;

namespace SupportBot.Discord;

/// <summary>
/// Delivers replies on Discord as messages: to a user's DM channel (opened once and remembered) or the volunteer
/// channel. Answers in place to an interaction are the <see cref="DiscordInteractionResponder"/>'s job.
/// </summary>
internal sealed partial class DiscordSender(DiscordApi api, IOptions<DiscordOptions> options, ILogger<DiscordSender> logger) : IChatAdapter
{
    /// <summary>DM channels of the people who wrote most recently; <see cref="_olderDmChannels"/> those before them.</summary>
    private ConcurrentDictionary<string, string> _dmChannels = new(StringComparer.Ordinal);

    private ConcurrentDictionary<string, string> _olderDmChannels = new(StringComparer.Ordinal);
    private int _warnedNoVolunteerChannel;

    /// <summary>People added to <see cref="_dmChannels"/> since it became the newer half (see <see cref="Remember"/>).</summary>
    private int _added;

    /// <summary>
    /// How many DM channels are remembered at most; a forgotten one is opened again (Discord returns the same), one
    /// request at a time on that route before the answer can go. Room for a burst of 20,000 first DMs (the burst
    /// size) all written before the first answer: at 20,000 in all, 20,001 people opened 5,900-8,000 channels again (perf8).
    /// Each entry is two short strings, so the bound is a few MB at most.
    /// </summary>
    internal int MaxDmChannels { get; init; } = 50_000;

    internal int RememberedDmChannels => _dmChannels.Count + _olderDmChannels.Count;

    public Platform Platform => Platform.Discord;

    public async Task SendAsync(Reply reply, CancellationToken ct)
    {
        string? channel = reply.Audience switch
        {
            Audience.Volunteers => VolunteerChannel(),
            Audience.Direct { User.Platform: Platform.Discord } d => await DmChannelAsync(d.User.UserId, ct),
            Audience.OnlyActor { User.Platform: Platform.Discord } o => await DmChannelAsync(o.User.UserId, ct),
            _ => null,
        };
        if (channel is null)
        {
            return;
        }

        // A nonce Discord enforces: a message that repeats one of the last few minutes is not created again. A stored
        // reply brings its own (the same at every delivery, after a kill too); any other gets one for this delivery,
        // so a retry after a 5xx that Discord had acted on is not shown twice either. One per part of a split reply.
        var nonce = reply.Nonce ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var part = 0;
        foreach (var message in DiscordRenderer.Render(reply))
        {
            var body = DiscordRenderer.Body(message, ephemeral: false) with { Nonce = $"{nonce}-{part++}", EnforceNonce = true };
            await api.CreateMessageAsync(channel, body, ct);
        }
    }

    /// <summary>A DM arrived in this channel: answers to the person go there without opening it again.</summary>
    public void RememberDmChannel(string userId, string channelId) => Remember(userId, channelId);

    // Warned once: every notice would otherwise repeat it.
    private string? VolunteerChannel()
    {
        var id = options.Value.VolunteerChannelId;
        if (id.Length > 0)
        {
            return id;
        }

        if (Interlocked.Exchange(ref _warnedNoVolunteerChannel, 1) == 0)
        {
            LogNoVolunteerChannel();
        }

        return null;
    }

    /// <summary>The user's DM channel: remembered, or opened (Discord returns the one that exists).</summary>
    public async Task<string> DmChannelAsync(string userId, CancellationToken ct)
    {
        if (_dmChannels.TryGetValue(userId, out var channel))
        {
            return channel;
        }

        // Not moved into the newer half: under a burst that filled it sooner, and dropped the older half with everyone
        // still waiting for their answer (1,998 of 20,000 re-opened, perf8). A person who writes again is remembered anew.
        if (_olderDmChannels.TryGetValue(userId, out channel))
        {
            return channel;
        }

        channel = await api.CreateDmChannelAsync(userId, ct);
        Remember(userId, channel);
        return channel;
    }

    private void Remember(string userId, string channelId)
    {
        if (_dmChannels.TryGetValue(userId, out var known))
        {
            if (known != channelId)
            {
                _dmChannels[userId] = channelId;
            }

            return;
        }

        // Counted here, not by the map's Count, which takes every one of its locks: under a burst of first DMs, each of
        // them did (1.2 % of a durable DM's CPU, perf7). People added at the same moment may pass the bound by a few:
        // only a cache.
        // Exactly one caller sees the count pass the half, so two never turn the halves at once (which would drop the newer).
        if (Interlocked.Increment(ref _added) == (MaxDmChannels / 2) + 1)
        {
            // Two halves, the older dropped when the newer is full: the people who wrote last are always remembered. The
            // whole map cleared at once forgot them too, so a burst of more first DMs than the bound opened about half
            // of their channels again before answering, one request at a time on that route (8,776 of 20,000, perf8).
            _olderDmChannels = _dmChannels;
            _dmChannels = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            Interlocked.Exchange(ref _added, 1);
        }

        _dmChannels[userId] = channelId;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord:VolunteerChannelId is not set: volunteer notices are not posted on Discord (volunteers can use /queue)")]
    private partial void LogNoVolunteerChannel();
}
