using Microsoft.Extensions.Logging;
using SupportBot.Core.Operations;
using SupportBot.Core.Storage;

namespace SupportBot.Core;

/// <summary>
/// A platform connection that can deliver replies addressed to its users or its volunteer channel.
/// Replies to the actor of an interaction are answered in place by the adapter that received it;
/// everything else goes through <see cref="ReplyRouter"/>.
/// </summary>
public interface IChatAdapter
{
    Platform Platform { get; }

    Task SendAsync(Reply reply, CancellationToken ct);
}

/// <summary>
/// Delivers replies to the adapter of their audience's platform; volunteer notices go to every adapter. A failed
/// delivery is logged and does not stop the others: a volunteer whose DMs are closed must not keep crisis lines
/// from reaching a survivor. A reply held in the <see cref="OutboxStore"/> has its row deleted once delivery was tried.
/// </summary>
public sealed partial class ReplyRouter(IEnumerable<IChatAdapter> adapters, ILogger<ReplyRouter> logger, BotMetrics? metrics = null, OutboxStore? outbox = null)
{
    private readonly IReadOnlyList<IChatAdapter> _adapters = adapters.ToList();

    /// <summary>The platforms this process can deliver to.</summary>
    public IReadOnlyCollection<Platform> Platforms => _adapters.Select(a => a.Platform).Distinct().ToList();

    /// <summary>
    /// Sends a reply; false when it could not be delivered. A reply for the actor alone that reaches the router
    /// (no interaction to answer in place) goes to them as a direct message, which is just as private.
    /// </summary>
    public async Task<bool> DeliverAsync(Reply reply, CancellationToken ct)
    {
        // Cancelled (stopping) before it was tried, a held reply keeps its row, for the next start or another process.
        var delivered = await SendAsync(reply, ct);
        if (outbox is not null)
        {
            await outbox.SentAsync(reply);
        }

        return delivered;
    }

    /// <summary>
    /// After an adapter answered a reply in place (an interaction's answer, Slack's response URL), or tried to and the
    /// platform refused it: its outbox row, if it has one (<see cref="OutboxStore.WriteAsync"/>), is deleted, as
    /// <see cref="DeliverAsync"/> does for what it delivers.
    /// </summary>
    public Task AnsweredInPlaceAsync(Reply reply) => outbox is null ? Task.CompletedTask : outbox.SentAsync(reply);

    private async Task<bool> SendAsync(Reply reply, CancellationToken ct)
    {
        if (reply.Audience is Audience.Volunteers)
        {
            var all = true;
            foreach (var adapter in _adapters)
            {
                all &= await TrySendAsync(adapter, reply, ct);
            }

            return all;
        }

        var user = reply.Audience switch
        {
            Audience.Direct direct => direct.User,
            Audience.OnlyActor only => only.User,
            _ => throw new InvalidOperationException($"Unknown audience {reply.Audience}."),
        };
        var target = _adapters.FirstOrDefault(a => a.Platform == user.Platform);
        if (target is null)
        {
            LogNoAdapter(user.Platform);
            metrics?.DeliveryFailed(user.Platform);
            return false;
        }

        return await TrySendAsync(target, reply, ct);
    }

    private async Task<bool> TrySendAsync(IChatAdapter adapter, Reply reply, CancellationToken ct)
    {
        try
        {
            await adapter.SendAsync(reply, ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The kind only: exception messages of HTTP clients can carry addresses.
            LogDeliveryFailed(adapter.Platform, reply.Audience.GetType().Name, e.GetType().Name);
            metrics?.DeliveryFailed(adapter.Platform);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No adapter runs for {Platform}; a reply was not delivered")]
    private partial void LogNoAdapter(Platform platform);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering a reply ({Audience}) through {Platform} failed: {Kind}")]
    private partial void LogDeliveryFailed(Platform platform, string audience, string kind);
}
