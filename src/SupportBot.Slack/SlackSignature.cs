using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SupportBot.Slack;

/// <summary>Slack request signing v0: HMAC-SHA256 over "v0:{timestamp}:{body}", a 5-minute window, compared in constant time.</summary>
public static class SlackSignature
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static string Compute(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        var hash = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), data);
        return "v0=" + Convert.ToHexStringLower(hash);
    }

    public static bool IsValid(string signingSecret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signingSecret) || string.IsNullOrEmpty(signature)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        // A replayed request outside the window is refused even when its signature is right.
        var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if ((now - sent).Duration() > Window)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(signingSecret, timestamp!, body));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
