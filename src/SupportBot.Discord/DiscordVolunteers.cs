using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SupportBot.Discord;

/// <summary>
/// Who is a volunteer on Discord: listed in VolunteerUserIds (everywhere), or holding VolunteerRoleId (or CoordinatorRoleId,
/// which also makes a coordinator). The role is
/// read from the member in a guild event; for a DM (no member) it is looked up in the configured guild over REST,
/// cached for a minute. Lookup failures fail closed.
/// </summary>
internal sealed partial class DiscordVolunteers(DiscordApi api, IOptions<DiscordOptions> options, TimeProvider time, ILogger<DiscordVolunteers> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, (IReadOnlyList<string> Roles, long Until)> _roleCache = new(StringComparer.Ordinal);

    /// <summary>How many looked-up roles are kept at most; past it the expired ones go, and all of them if none has.</summary>
    internal int MaxCachedRoles { get; init; } = 10_000;

    internal int CachedRoles => _roleCache.Count;

    /// <summary>
    /// Whether the user is a volunteer (coordinators are too); <paramref name="roles"/> are the member's roles in a guild
    /// event, null in a DM.
    /// </summary>
    public async Task<bool> IsVolunteerAsync(string userId, IReadOnlyList<string>? roles, CancellationToken ct)
    {
        var o = options.Value;
        if (o.VolunteerUserIds.Contains(userId, StringComparer.Ordinal))
        {
            return true;
        }

        return await HasRoleAsync(userId, roles, o.VolunteerRoleId, ct) || await HasRoleAsync(userId, roles, o.CoordinatorRoleId, ct);
    }

    /// <summary>Whether the user holds Discord:CoordinatorRoleId.</summary>
    public Task<bool> IsCoordinatorAsync(string userId, IReadOnlyList<string>? roles, CancellationToken ct) =>
        HasRoleAsync(userId, roles, options.Value.CoordinatorRoleId, ct);

    private async Task<bool> HasRoleAsync(string userId, IReadOnlyList<string>? roles, string roleId, CancellationToken ct)
    {
        if (roleId.Length == 0)
        {
            return false;
        }

        if (roles is not null)
        {
            return roles.Contains(roleId, StringComparer.Ordinal);
        }

        var guildId = options.Value.GuildId;
        if (guildId.Length == 0)
        {
            return false;
        }

        var now = time.GetTimestamp();
        if (_roleCache.TryGetValue(userId, out var cached) && cached.Until > now)
        {
            return cached.Roles.Contains(roleId, StringComparer.Ordinal);
        }

        try
        {
            var member = await api.GetGuildMemberAsync(guildId, userId, ct);
            IReadOnlyList<string> memberRoles = member?.Roles?.ToArray() ?? [];
            if (_roleCache.Count >= MaxCachedRoles)
            {
                Trim(now);
            }

            _roleCache[userId] = (memberRoles, now + (long)(CacheFor.TotalSeconds * time.TimestampFrequency));
            return memberRoles.Contains(roleId, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is DiscordApiException or HttpRequestException)
        {
            LogLookupFailed(e.GetType().Name);
            return false;
        }
    }

    private void Trim(long now)
    {
        foreach (var (userId, cached) in _roleCache)
        {
            if (cached.Until <= now)
            {
                _roleCache.TryRemove(userId, out _);
            }
        }

        if (_roleCache.Count >= MaxCachedRoles)
        {
            _roleCache.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up a Discord volunteer role failed ({Kind}); treating as not a volunteer")]
    private partial void LogLookupFailed(string kind);
}
