using System.Diagnostics;
using System.Threading.Channels;

namespace SupportBot.Tests.Support;

/// <summary>
/// The real bot as a separate process, driven over standard input and output exactly as a script would.
/// Standard error (the logs) is kept apart so tests can check that stdout carries only the protocol.
/// </summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly System.Text.StringBuilder _errors = new();

    private ConsoleProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything read from standard output so far.</summary>
    public IReadOnlyList<string> Seen => _seen;

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// The host as built in its own folder. The copy beside the tests cannot run alone: the test project's
    /// ASP.NET Core framework reference keeps some Microsoft.Extensions assemblies out of this folder.
    /// </summary>
    private static string HostAssembly
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = output.Parent!.Name;
            return Path.Combine(TestPaths.RepoRoot, "src", "SupportBot", "bin", configuration, output.Name, "SupportBot.dll");
        }
    }

    /// <summary>
    /// A published executable to run instead of the host built beside the tests: the Native AOT publish, so that the
    /// end-to-end tests prove it (README "Performance", Native AOT). Unset, the tests run <c>dotnet SupportBot.dll</c>.
    /// </summary>
    public static string? PublishedExecutable => Environment.GetEnvironmentVariable("SUPPORTBOT_TEST_EXECUTABLE") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    public static ConsoleProcess Start(string dataDirectory, params string[] extraArgs) =>
        Start(dataDirectory, new Dictionary<string, string>(), extraArgs);

    /// <summary>
    /// Starts the bot with these SUPPORTBOT_ variables. <paramref name="input"/> "pipe" gives it a pipe on standard
    /// input; "terminal" runs it under script(1), so both ends are a terminal as for a person; a shell redirection
    /// ("&lt;/dev/null", "&lt;&amp;-") gives it that instead.
    /// </summary>
    public static ConsoleProcess Start(string dataDirectory, IReadOnlyDictionary<string, string> environment, string[] extraArgs, string input = "pipe")
    {
        string[] host = PublishedExecutable is { } executable ? [executable] : ["dotnet", HostAssembly];
        string[] command =
        [
            .. host, $"--Storage:Path={Path.Combine(dataDirectory, "supportbot.db")}", $"--Content:Path={TestPaths.Prompts}", .. extraArgs,
        ];
        var quoted = string.Join(' ', command.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var (program, arguments) = input switch
        {
            "pipe" => (command[0], command[1..]),
            "terminal" => ("script", ["-qec", "exec " + quoted, "/dev/null"]),
            _ => ("/bin/sh", new[] { "-c", $"exec {quoted} {input}" }),
        };
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = input is "pipe" or "terminal",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        // No platform credentials may leak in from the machine: the console adapter must be the one that runs.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("SUPPORTBOT_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return new ConsoleProcess(Process.Start(info)!);
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Reads lines until one contains <paramref name="text"/>; returns every line read on the way, that one included.</summary>
    public async Task<IReadOnlyList<string>> ExpectAsync(string text)
    {
        var read = new List<string>();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(timeout.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    read.Add(line);
                    _seen.Add(line);
                    if (line.Contains(text, StringComparison.Ordinal))
                    {
                        return read;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new Xunit.Sdk.XunitException($"Waited for \"{text}\" but read:\n{string.Join("\n", read)}\n--- stderr:\n{Errors}");
    }

    /// <summary>Sends a line and returns the output up to the line containing <paramref name="expect"/>.</summary>
    public async Task<IReadOnlyList<string>> SayAsync(string line, string expect)
    {
        await SendAsync(line);
        return await ExpectAsync(expect);
    }

    /// <summary>A survivor's first direct message and their consent to wait under a made-up name; returns the lines up to the volunteer notice.</summary>
    public async Task<IReadOnlyList<string>> DiscloseAsync(string survivor, string text)
    {
        var welcome = await SayAsync($"{survivor} (dm): {text}", "Stop and delete this");
        return await SayAsync($"{survivor}: [{ChoiceNumber(welcome, "Yes, use a made-up name")}]", "] Claim #");
    }

    /// <summary>The number shown beside a choice: "[only alice] [2] Claim #1" gives 2 for "Claim #1".</summary>
    public static int ChoiceNumber(IEnumerable<string> lines, string label)
    {
        var pattern = new System.Text.RegularExpressions.Regex(@"\] \[(\d+)\] " + System.Text.RegularExpressions.Regex.Escape(label));
        var match = lines.Select(l => pattern.Match(l)).LastOrDefault(m => m.Success)
            ?? throw new Xunit.Sdk.XunitException($"No choice \"{label}\" in:\n{string.Join("\n", lines)}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every line written to standard output and not yet read by <see cref="ExpectAsync"/>; call after exit.</summary>
    public IReadOnlyList<string> Unread()
    {
        var lines = new List<string>();
        while (_lines.Reader.TryRead(out var line))
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Closes standard input, as the end of a script does, and waits for a clean exit.</summary>
    public async Task<int> EndInputAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to end by itself.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>The operating system's id of the bot's process.</summary>
    public int Id => _process.Id;

    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Asks the process to stop as a container runtime or Ctrl+C would, and waits for it to exit.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
