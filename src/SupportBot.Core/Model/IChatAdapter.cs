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

/// <summary>Delivers replies to the adapter of their audience's platform; volunteer notices go to every adapter.</summary>
public sealed class ReplyRouter(IEnumerable<IChatAdapter> adapters)
{
    private readonly IReadOnlyList<IChatAdapter> _adapters = adapters.ToList();

    /// <summary>
    /// Sends a reply. A reply for the actor alone that reaches the router (no interaction to answer in place)
    /// goes to them as a direct message, which is just as private.
    /// </summary>
    public async Task DeliverAsync(Reply reply, CancellationToken ct)
    {
        if (reply.Audience is Audience.Volunteers)
        {
            foreach (var adapter in _adapters)
            {
                await adapter.SendAsync(reply, ct).ConfigureAwait(false);
            }

            return;
        }

        var user = reply.Audience switch
        {
            Audience.Direct direct => direct.User,
            Audience.OnlyActor only => only.User,
            _ => throw new InvalidOperationException($"Unknown audience {reply.Audience}."),
        };
        var target = _adapters.FirstOrDefault(a => a.Platform == user.Platform)
            ?? throw new InvalidOperationException($"No adapter runs for {user.Platform}.");
        await target.SendAsync(reply, ct).ConfigureAwait(false);
    }
}
