using System.Globalization;
using System.Text.RegularExpressions;

namespace SupportBot.Core.Timing;

/// <summary>
/// Support:Hours read once at start: weekly windows in one time zone. Answers whether volunteers are usually around
/// now and, if not, when they next are, so a survivor writing at night is told honestly when to expect a reply.
/// </summary>
public sealed partial class SupportHours
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly IReadOnlyList<Window> _windows;

    private SupportHours(string text, TimeZoneInfo zone, IReadOnlyList<Window> windows)
    {
        Text = text;
        Zone = zone;
        _windows = windows;
    }

    /// <summary>The hours as the admin wrote them, to show to survivors.</summary>
    public string Text { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>True when no hours are set: volunteers may read at any time, so nobody is told to expect a wait.</summary>
    public bool Always => _windows.Count == 0;

    public static SupportHours From(SupportOptions options) =>
        TryParse(options.Hours, options.TimeZone, out var hours, out var error) ? hours : throw new FormatException(error);

    /// <summary>Reads "Mon-Fri 09:00-17:00; Sat 10:00-14:00" (days as three-letter English names, 24-hour times, an end of 24:00 allowed).</summary>
    public static bool TryParse(string? text, string? timeZone, out SupportHours hours, out string error)
    {
        hours = null!;
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            error = $"Support:TimeZone '{timeZone}' is not a known time zone (use an id like Europe/London).";
            return false;
        }

        var windows = new List<Window>();
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = WindowPattern().Match(part);
            if (!match.Success || Day(match.Groups["from"].Value) is not { } from
                || (match.Groups["to"].Success ? Day(match.Groups["to"].Value) : from) is not { } to
                || !TryTime(match.Groups["open"].Value, out var open) || !TryTime(match.Groups["close"].Value, out var close) || close <= open)
            {
                error = $"Support:Hours: '{part}' should look like 'Mon-Fri 09:00-17:00' (several separated by ';').";
                return false;
            }

            for (var day = from; ; day = (day + 1) % 7)
            {
                windows.Add(new Window((DayOfWeek)day, open, close));
                if (day == to)
                {
                    break;
                }
            }
        }

        hours = new SupportHours((text ?? "").Trim(), zone, windows);
        error = "";
        return true;
    }

    public bool IsOpen(DateTimeOffset utc)
    {
        if (Always)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(utc, Zone);
        var time = local.TimeOfDay;
        return _windows.Any(w => w.Day == local.DayOfWeek && time >= w.Open && time < w.Close);
    }

    /// <summary>The next local time a window opens after <paramref name="utc"/> (in the zone), or null when always open.</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset utc)
    {
        if (Always)
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(utc, Zone);
        for (var days = 0; days <= 7; days++)
        {
            var date = local.Date.AddDays(days);
            var next = _windows.Where(w => w.Day == date.DayOfWeek)
                .Select(w => date + w.Open)
                .Where(start => start > local.DateTime)
                .Order()
                .Cast<DateTime?>()
                .FirstOrDefault();
            if (next is { } start)
            {
                return new DateTimeOffset(start, Zone.GetUtcOffset(start));
            }
        }

        return null;
    }

    /// <summary>"Monday 09:00", in the zone, for the survivor's message.</summary>
    public static string Describe(DateTimeOffset local) => local.ToString("dddd HH:mm", CultureInfo.InvariantCulture);

    private static int? Day(string name)
    {
        var index = Array.IndexOf(DayNames, name.ToLowerInvariant());
        return index < 0 ? null : index;
    }

    private static bool TryTime(string text, out TimeSpan time)
    {
        if (text == "24:00")
        {
            time = TimeSpan.FromHours(24);
            return true;
        }

        return TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out time);
    }

    [GeneratedRegex(@"^(?<from>[A-Za-z]{3})(\s*-\s*(?<to>[A-Za-z]{3}))?\s+(?<open>\d{2}:\d{2})\s*-\s*(?<close>\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WindowPattern();

    private sealed record Window(DayOfWeek Day, TimeSpan Open, TimeSpan Close);
}
