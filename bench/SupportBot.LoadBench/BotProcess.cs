using System.Diagnostics;
using System.Globalization;

/// <summary>A bot under test as a separate process: its CPU time and resident memory read from the OS, its output kept for a failure message.</summary>
internal sealed class BotProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    private BotProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        StartedAt = Stopwatch.GetTimestamp();
    }

    public string Name { get; }

    /// <summary>When the process was started (Stopwatch ticks).</summary>
    public long StartedAt { get; }

    public bool HasExited => _process.HasExited;

    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Resident set size now, in MB, from /proc (VmRSS).</summary>
    public double RssMb
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? double.NaN
                : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
    }

    /// <summary>Lines the bot logged as "… failed (Kind)", by kind: a request that timed out, a refusal.</summary>
    public IReadOnlyDictionary<string, int> Failures => _failures;

    /// <summary>The last lines the process wrote, for saying why it was not ready.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    public static BotProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        var bot = new BotProcess(name, process);
        process.OutputDataReceived += (_, e) => bot.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => bot.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bot;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // It ended on its own.
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("BENCH_BOT_LOG") is { Length: > 0 } log)
        {
            lock (_failures)
            {
                File.AppendAllText(log, Name + ": " + line + "\n");
            }
        }

        if (line.Contains(" failed (", StringComparison.Ordinal) && line.LastIndexOf('(') is var open and >= 0 && line.IndexOf(')', open) is var close and > 0)
        {
            _failures.AddOrUpdate(line[(open + 1)..close], 1, (_, n) => n + 1);
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 20)
            {
                _tail.Dequeue();
            }
        }
    }
}
