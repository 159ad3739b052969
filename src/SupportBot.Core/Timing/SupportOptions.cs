namespace SupportBot.Core.Timing;

/// <summary>When volunteers are usually around, and when the bot speaks up about waiting or quiet conversations.</summary>
public sealed class SupportOptions
{
    public const string Section = "Support";

    /// <summary>"Mon-Fri 09:00-17:00; Sat 10:00-14:00" in <see cref="TimeZone"/>; empty means no set hours (nobody is told to expect a wait).</summary>
    public string Hours { get; set; } = "";

    /// <summary>An IANA (or Windows) time zone id, for example "Europe/London".</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>A conversation waiting longer than this is announced to volunteers again, once per this interval. Zero turns it off.</summary>
    public TimeSpan AlertAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A held conversation with no volunteer reply for this long nudges its holder, once per this interval. Zero turns it off.</summary>
    public TimeSpan NudgeAfter { get; set; } = TimeSpan.FromHours(4);

    /// <summary>A waiting or held conversation with no message either way for this long is closed with a kind note. Zero turns it off.</summary>
    public TimeSpan AutoCloseAfter { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How often the timers look; a minute is plenty for alerts measured in minutes.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromMinutes(1);
}
