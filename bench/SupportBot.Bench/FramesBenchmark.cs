using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SupportBot.Discord.Wire;

namespace SupportBot.Bench;

/// <summary>
/// The gateway's share of a /help in a burst, one thread, CPU microseconds and bytes allocated per INTERACTION_CREATE
/// frame (medians of several runs): the frame copied into a receive buffer and read into the interaction, now (one
/// reused buffer, <see cref="GatewayFrameReader"/>, the interaction read from the <c>d</c> slice) beside the way it was
/// done before (a new 16 KB buffer per frame, the frame deserialized with its <c>d</c> as a <see cref="JsonElement"/>,
/// which builds a document, cloned, then read into the interaction). CPU is the process's, so the GC's share counts.
/// Options: <c>--runs N</c> (default 7).
/// </summary>
internal static partial class FramesBenchmark
{
    private const int Calls = 50_000;

    // A /help as the load bench's feed sends it (the shape Discord documents for a guild slash command).
    private const string Frame = """
        {"op":0,"s":1234,"t":"INTERACTION_CREATE","d":{"id":"9000001234","application_id":"100000000000000001","type":2,
        "token":"interaction-token-9000001234","version":1,"guild_id":"400000000000000001","channel_id":"300000000000000001",
        "member":{"user":{"id":"19000001234","username":"member19000001234","global_name":"Member","bot":false},"roles":[]},
        "context":0,"data":{"id":"200000000000000001","name":"help","type":1},"locale":"en-US","guild_locale":"en-US",
        "app_permissions":"0","entitlements":[],"authorizing_integration_owners":{"0":"400000000000000001"},
        "attachment_size_limit":10485760,"channel":{"id":"300000000000000001","type":0,"guild_id":"400000000000000001"}}}
        """;

    public static int Run(string[] args)
    {
        var runs = args is ["--runs", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 7;
        var bytes = Encoding.UTF8.GetBytes(Frame);
        var reused = new ArrayBufferWriter<byte>(16 * 1024);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"frames: {Calls:N0} INTERACTION_CREATE frames ({bytes.Length} B) a run, {runs} runs, medians, {Environment.ProcessorCount} cores"));
        for (var round = 0; round < 2; round++)
        {
            Time("one pass, reused buffer (now)", runs, () => Now(bytes, reused));
            Time("document and clone, 16 KB buffer (before)", runs, () => Before(bytes));
        }

        return 0;
    }

    private static string Now(byte[] bytes, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        buffer.Write(bytes);
        var frame = GatewayFrameReader.Read(buffer.WrittenMemory)!;
        return JsonSerializer.Deserialize(frame.D.Span, DiscordJson.Default.WireInteraction)!.Id;
    }

    private static string Before(byte[] bytes)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        buffer.Write(bytes);
        var frame = JsonSerializer.Deserialize(buffer.WrittenSpan, OldJson.Default.OldFrame)!;
        var data = frame.D?.Clone() ?? default;
        return data.Deserialize(DiscordJson.Default.WireInteraction)!.Id;
    }

    private static void Time(string what, int runs, Func<string> call)
    {
        for (var i = 0; i < Calls; i++)
        {
            call();
        }

        var cpu = new double[runs];
        var allocated = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (var run = 0; run < runs; run++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Calls; i++)
            {
                call();
            }

            allocated[run] = (double)(GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / Calls;
            process.Refresh();
            cpu[run] = (process.TotalProcessorTime - before).TotalMicroseconds / Calls;
        }

        Array.Sort(cpu);
        Array.Sort(allocated);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-44} {cpu[runs / 2],8:F2} µs  (min {cpu[0]:F2}, max {cpu[^1]:F2}), {allocated[runs / 2],8:N0} B allocated"));
    }

    /// <summary>The frame type as it was: <c>d</c> read into a <see cref="JsonElement"/>.</summary>
    internal sealed record OldFrame(int Op, JsonElement? D, int? S, string? T);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
    [JsonSerializable(typeof(OldFrame))]
    internal sealed partial class OldJson : JsonSerializerContext;
}
