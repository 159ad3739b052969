using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SupportBot.Slack;

/// <summary>
/// Who is a volunteer on Slack: listed in VolunteerUserIds, or a member of VolunteerUserGroupId. The group is
/// looked up at most once a minute; when the lookup fails the last known members stand.
/// </summary>
public sealed partial class SlackVolunteers(SlackApi api, IOptions<SlackOptions> options, TimeProvider time, ILogger<SlackVolunteers> logger) : IDisposable
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private HashSet<string> _groupMembers = new HashSet<string>(StringComparer.Ordinal);
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async Task<bool> IsVolunteerAsync(string userId, CancellationToken ct)
    {
        var o = options.Value;
        if (o.VolunteerUserIds.Contains(userId, StringComparer.Ordinal) || IsCoordinator(userId))
        {
            return true;
        }

        if (o.VolunteerUserGroupId.Length == 0)
        {
            return false;
        }

        if (time.GetUtcNow() - _fetchedAt > CacheFor)
        {
            await _refresh.WaitAsync(ct);
            try
            {
                if (time.GetUtcNow() - _fetchedAt > CacheFor)
                {
                    try
                    {
                        var members = await api.GetUserGroupMembersAsync(o.VolunteerUserGroupId, ct);
                        _groupMembers = members.ToHashSet(StringComparer.Ordinal);
                    }
                    catch (Exception e) when (e is SlackApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                    {
                        LogLookupFailed(e.GetType().Name);
                    }

                    // Also after a failure, so a broken lookup is not retried on every event.
                    _fetchedAt = time.GetUtcNow();
                }
            }
            finally
            {
                _refresh.Release();
            }
        }

        return _groupMembers.Contains(userId);
    }

    /// <summary>Whether the user is listed in Slack:CoordinatorUserIds (coordinators are volunteers too).</summary>
    public bool IsCoordinator(string userId) => options.Value.CoordinatorUserIds.Contains(userId, StringComparer.Ordinal);

    public void Dispose() => _refresh.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up the Slack volunteer group failed ({Failure}); keeping the last known members")]
    private partial void LogLookupFailed(string failure);
}
