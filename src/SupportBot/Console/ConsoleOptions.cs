namespace SupportBot.ConsoleChat;

/// <summary>Console:* configuration for the adapter that runs when no platform is configured.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>Names typed at the start of a line that count as volunteers. Empty means the default, "vol".</summary>
    public List<string> Volunteers { get; set; } = [];

    /// <summary>Logs on standard error while the console runs. Off by default: a script reads the conversation alone.</summary>
    public bool ShowLogs { get; set; }

    public IReadOnlyList<string> VolunteerNames => Volunteers.Count > 0 ? Volunteers : ["vol"];
}
