using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SupportBot.Core;

namespace SupportBot.Slack;

/// <summary>
/// Who a Slack user is to the core: volunteer or not (<see cref="SlackVolunteers"/>) and the name they show in
/// Slack, which "use my name" should use.
/// </summary>
internal sealed partial class SlackActors(SlackApi api, SlackVolunteers volunteers, TimeProvider time, ILogger<SlackActors> logger)
{
    /// <summary>How long a looked-up name is used before it is looked up again.</summary>
    private static readonly TimeSpan NameCacheFor = TimeSpan.FromMinutes(10);

    /// <summary>How long a name lookup may hold up an event; the username does meanwhile.</summary>
    private static readonly TimeSpan NameLookupLimit = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (string? Name, DateTimeOffset At)> _names = new(StringComparer.Ordinal);

    public async Task<Actor> ActorAsync(string userId, string? username, CancellationToken ct)
    {
        var isVolunteer = await volunteers.IsVolunteerAsync(userId, ct);
        var name = await DisplayNameAsync(userId, ct) ?? username;
        return new Actor(new Address(Platform.Slack, userId), string.IsNullOrWhiteSpace(name) ? userId : name, isVolunteer)
        {
            IsCoordinator = volunteers.IsCoordinator(userId),
        };
    }

    /// <summary>
    /// For a slash command, whose ack waits for its answer: the name if already known, else the username. For a
    /// volunteer (whose name survivors are shown) the lookup goes on without holding the ack up, so their next event
    /// has it; nobody else's name is looked up here, so a crowd running /help does not cost one users.info each.
    /// </summary>
    public async Task<Actor> ActorWithoutNameLookupAsync(string userId, string? username, CancellationToken ct)
    {
        var isVolunteer = await volunteers.IsVolunteerAsync(userId, ct);
        string? name = username;
        if (_names.TryGetValue(userId, out var known) && time.GetUtcNow() - known.At < NameCacheFor)
        {
            name = known.Name ?? username;
        }
        else if (isVolunteer)
        {
            _ = DisplayNameAsync(userId, CancellationToken.None);
        }

        return new Actor(new Address(Platform.Slack, userId), string.IsNullOrWhiteSpace(name) ? userId : name, isVolunteer)
        {
            IsCoordinator = volunteers.IsCoordinator(userId),
        };
    }

    /// <summary>
    /// The display name; null when it cannot be had (no users:read scope, Slack slow or away), and the caller falls
    /// back to the username. Failures are remembered too, so a missing scope costs one call per person per
    /// <see cref="NameCacheFor"/>, not one per event.
    /// </summary>
    private async Task<string?> DisplayNameAsync(string userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_names.TryGetValue(userId, out var known) && now - known.At < NameCacheFor)
        {
            return known.Name;
        }

        string? name = null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(NameLookupLimit);
        try
        {
            name = await api.GetUserNameAsync(userId, limit.Token);
        }
        catch (Exception e) when (e is SlackApiException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            LogNameLookupFailed(e.GetType().Name, (e as SlackApiException)?.Error ?? "");
        }

        if (_names.Count > 10_000)
        {
            // Only a cache: dropping it all now and then keeps it from growing with every person ever seen.
            _names.Clear();
        }

        _names[userId] = (name, now);
        return name;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up a Slack user's name failed ({Failure} {Error}); using their username")]
    private partial void LogNameLookupFailed(string failure, string error);
}
