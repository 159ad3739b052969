using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SupportBot.Core.Storage;

namespace SupportBot.Bench;

/// <summary>
/// The sealing a durable DM does in the process, one thread, CPU microseconds per call (median of several runs): a
/// 300-byte body sealed with AES-256-GCM and a person's lookup key (HMAC-SHA256, base64url), each beside the way it was
/// done before (an <see cref="AesGcm"/> made per call; the key built through intermediate strings), so the two are
/// timed in the same process and minute. A first DM seals three values and hashes about five keys.
/// Options: <c>--runs N</c> (default 7).
/// </summary>
internal static class SealingBenchmark
{
    private const int Calls = 20_000;

    public static int Run(string[] args)
    {
        var runs = args is ["--runs", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 7;
        var key = RandomNumberGenerator.GetBytes(32);
        using var cipher = new MessageCipher(key);
        var ids = new PersonIds(cipher);
        var hashKey = cipher.DeriveKey("person-id");
        var body = new string('w', 300);
        const string person = "Discord:918273645546372819";

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sealing: {Calls:N0} calls a run, {runs} runs, CPU µs per call (median), {Environment.ProcessorCount} cores"));
        Time("seal 300 B, pooled AesGcm (now)", runs, () => cipher.Encrypt(body, "message:1"));
        Time("seal 300 B, AesGcm per call (before)", runs, () => SealMakingAesGcm(key, body, "message:1"));
        Time("person key (now)", runs, () => ids.Key(person));
        Time("person key (before)", runs, () => Convert.ToBase64String(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(person)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        return 0;
    }

    private static byte[] SealMakingAesGcm(byte[] key, string text, string context)
    {
        var plain = Encoding.UTF8.GetBytes(text);
        var sealedBytes = new byte[12 + 16 + plain.Length];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(sealedBytes.AsSpan(0, 12), plain, sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), Encoding.UTF8.GetBytes(context));
        return sealedBytes;
    }

    private static void Time(string what, int runs, Func<object> call)
    {
        for (var i = 0; i < Calls; i++)
        {
            call();
        }

        var cpu = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (var run = 0; run < runs; run++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            for (var i = 0; i < Calls; i++)
            {
                call();
            }

            process.Refresh();
            cpu[run] = (process.TotalProcessorTime - before).TotalMicroseconds / Calls;
        }

        Array.Sort(cpu);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-40} {cpu[runs / 2],8:F2} µs  (min {cpu[0]:F2}, max {cpu[^1]:F2})"));
    }
}
