namespace SupportBot.Discord;

/// <summary>
/// Discord ids are snowflakes: milliseconds since the Discord epoch (2015-01-01T00:00:00Z) shifted left by 22 bits
/// (Discord API reference, "Snowflakes"). The smallest id of a moment serves as "after" in history reads.
/// </summary>
internal static class Snowflake
{
    private const long DiscordEpochMs = 1_420_070_400_000;

    public static ulong At(DateTimeOffset time) => (ulong)Math.Max(0, time.ToUnixTimeMilliseconds() - DiscordEpochMs) << 22;
}
