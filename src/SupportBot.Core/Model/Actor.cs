namespace SupportBot.Core;

/// <summary>The chat platform an address or event belongs to.</summary>
public enum Platform
{
    Console,
    Discord,
    Slack,
}

/// <summary>A user on a platform. Addresses carry their platform so one queue can serve every platform.</summary>
public sealed record Address(Platform Platform, string UserId)
{
    public override string ToString() => $"{Platform}:{UserId}";

    /// <summary>Parses the form written by <see cref="ToString"/>; used for keys stored in the database.</summary>
    public static Address Parse(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !Enum.TryParse<Platform>(value[..colon], out var platform))
        {
            throw new FormatException($"'{value}' is not an address.");
        }

        return new Address(platform, value[(colon + 1)..]);
    }
}

/// <summary>Whoever caused an inbound event. The adapter decides <see cref="IsVolunteer"/> from its configuration.</summary>
public sealed record Actor(Address Address, string DisplayName, bool IsVolunteer)
{
    /// <summary>
    /// A coordinator (Discord:CoordinatorRoleId, Slack:CoordinatorUserIds, Console:Coordinators): a volunteer who may
    /// also list and lift blocks and read /stats. The adapter decides, as for <see cref="IsVolunteer"/>.
    /// </summary>
    public bool IsCoordinator { get; init; }

    public Platform Platform => Address.Platform;
}
