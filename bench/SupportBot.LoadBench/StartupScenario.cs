using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SupportBot.Tests.Fakes;

/// <summary>
/// Start to ready: from starting the process to its /readyz answering 200 (the database open and the Discord gateway
/// session live), and the process's CPU time by then (less sensitive than wall time to other work on the machine); then idle
/// resident memory after a few quiet seconds.
/// </summary>
internal static class StartupScenario
{
    public static async Task<Measurement> RunAsync(string scenario, Contenders contenders, TimeSpan idle)
    {
        await using var fake = await FakeDiscord.StartAsync();
        var data = Directory.CreateTempSubdirectory("supportbot-bench-");
        var port = FreePort();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var bot = contenders.SupportBotOnDiscord(fake, data.FullName, $"--Health:Urls=http://127.0.0.1:{port}");
        try
        {
            var ready = double.NaN;
            var readyCpu = double.NaN;
            while (Stopwatch.GetElapsedTime(bot.StartedAt) < TimeSpan.FromSeconds(60) && !bot.HasExited)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        ready = Stopwatch.GetElapsedTime(bot.StartedAt).TotalMilliseconds;
                        readyCpu = bot.Cpu.TotalMilliseconds;
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or too busy starting to answer.
                }

                await Task.Delay(5);
            }

            if (double.IsNaN(ready))
            {
                throw new InvalidOperationException($"{bot.Name} never became ready:\n{bot.Tail}");
            }

            await Task.Delay(idle);
            return new Measurement(scenario, bot.Name, 1, 1, double.NaN, StartToReadyMs: ready, RssMb: bot.RssMb, ReadyCpuMs: readyCpu);
        }
        finally
        {
            bot.Dispose();
            data.Delete(recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
