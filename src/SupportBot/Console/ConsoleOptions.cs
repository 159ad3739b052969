namespace SupportBot.ConsoleChat;

/// <summary>Console:* configuration for the adapter that runs when no platform is configured.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>Names typed at the start of a line that count as volunteers. Empty means the default, "vol".</summary>
    public List<string> Volunteers { get; set; } = [];

    /// <summary>Logs on standard error while the console runs. Off by default: a script reads the conversation alone.</summary>
    public bool ShowLogs { get; set; }

    /// <summary>Names that count as coordinators: volunteers who may also list and lift blocks and read /stats.</summary>
    public List<string> Coordinators { get; set; } = [];

    /// <summary>Every volunteer, coordinators included.</summary>
    public IReadOnlyList<string> VolunteerNames => (Volunteers.Count > 0 ? Volunteers : ["vol"]).Union(Coordinators, StringComparer.Ordinal).ToList();
}
