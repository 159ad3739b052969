using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SupportBot.Tests.Support.Postgres;

/// <summary>
/// One real PostgreSQL server for the whole test run: initdb into a temporary folder (in memory where /dev/shm exists;
/// fsync stays on), started on a free loopback port with trust authentication on 127.0.0.1, stopped and deleted when
/// the test process ends. As root, it runs as the user postgres, which the server requires. Each test gets a fresh
/// database of its own (<see cref="CreateDatabase"/>), so tests stay independent and run in parallel.
/// When no server can be started the PostgreSQL tests are skipped, saying why, unless SUPPORTBOT_REQUIRE_POSTGRES=1
/// (CI sets it): then they fail with the same reason.
/// </summary>
public sealed class PostgresServer
{
    public const string RequireVariable = "SUPPORTBOT_REQUIRE_POSTGRES";

    private static readonly Lazy<PostgresServer?> Shared = new(Start);
    private static string? _problem;

    private readonly int _port;
    private int _databases;

    private PostgresServer(int port) => _port = port;

    /// <summary>True when CI asked for PostgreSQL: its tests then fail, instead of being skipped, when no server starts.</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Why PostgreSQL tests are skipped in this run, or null when they run (a server started, or it is required).</summary>
    public static string? SkipReason => Required ? null : Problem;

    /// <summary>Why no server could be started, or null when one runs. Starts it on first use.</summary>
    public static string? Problem => Shared.Value is null ? _problem : null;

    /// <summary>The server of this run; throws with the reason when none could be started.</summary>
    public static PostgresServer Instance =>
        Shared.Value ?? throw new InvalidOperationException($"No PostgreSQL server for this test run ({RequireVariable}={(Required ? "1" : "unset")}): {_problem}");

    /// <summary>Creates a new, empty database; its connection string. <see cref="DropDatabase"/> removes it.</summary>
    public string CreateDatabase()
    {
        var name = "supportbot_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        Admin($"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        Admin($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>
    /// A connection string to <paramref name="database"/> as the superuser. The pool is kept small: many test classes
    /// run at once, each with its own database.
    /// </summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = "postgres",
        Database = database,
        MaxPoolSize = 20,
        Timeout = 30,
    }.ConnectionString;

    private void Admin(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static PostgresServer? Start()
    {
        try
        {
            return StartServer();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or NpgsqlException)
        {
            _problem = e.Message;
            return null;
        }
    }

    private static PostgresServer StartServer()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("The PostgreSQL test server is started on Linux only.");
        }

        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed: `apt-get install -y postgresql` installs them.");
        var asRoot = Environment.UserName == "root";
        if (asRoot && Run("id", "-u", "postgres").Length == 0)
        {
            throw new InvalidOperationException("Running as root, and there is no user 'postgres' to run the PostgreSQL server as.");
        }

        var parent = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        DeleteStale(parent);
        var folder = Path.Combine(parent, "supportbot-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (asRoot)
        {
            Run("chown", "postgres:", folder);
        }

        var data = Path.Combine(folder, "data");
        var log = Path.Combine(folder, "server.log");
        string[] AsServerUser(params string[] command) => asRoot ? ["runuser", "-u", "postgres", "--", .. command] : command;
        Run(AsServerUser(Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"));
        var port = FreePort();
        try
        {
            Run(AsServerUser(
                Path.Combine(bin, "pg_ctl"), "-D", data, "-l", log, "-w", "-t", "30",
                "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=on", "start"));
        }
        catch (InvalidOperationException e)
        {
            var tail = File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(3)) : "";
            throw new InvalidOperationException($"pg_ctl could not start the server: {e.Message} {tail}");
        }

        // The test host may be ended before its exit handlers finish (or killed): a detached watchdog stops the server
        // and deletes its folder within a second of the test process going, whatever way it goes.
        var stop = string.Join(' ', AsServerUser(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").Select(a => $"'{a}'"));
        Process.Start(new ProcessStartInfo("setsid")
        {
            ArgumentList =
            {
                "sh", "-c",
                $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{folder}'",
            },
            UseShellExecute = false,
            WorkingDirectory = "/",
        })?.Dispose();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(AsServerUser(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"));
            }
            finally
            {
                TryDelete(folder);
            }
        };
        return new PostgresServer(port);
    }

    /// <summary>Folders of earlier runs whose server is gone (a killed test process): they would hold memory in /dev/shm.</summary>
    private static void DeleteStale(string parent)
    {
        foreach (var folder in Directory.GetDirectories(parent, "supportbot-pg-*"))
        {
            var pidFile = Path.Combine(folder, "data", "postmaster.pid");
            var running = File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
                && Directory.Exists($"/proc/{pid}");
            if (!running)
            {
                TryDelete(folder);
            }
        }
    }

    private static void TryDelete(string folder)
    {
        for (var attempt = 0; attempt < 3 && Directory.Exists(folder); attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file the stopping server removed or wrote meanwhile; the next attempt sees the folder as it is now.
                Thread.Sleep(100);
            }
        }
    }

    private static string? FindBin()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        // Version 15 as the issue names it, else the newest installed.
        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            .OrderByDescending(d => d.Contains("/15/", StringComparison.Ordinal))
            .ThenByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Run(params string[] command)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server user cannot read the test's working directory.
            WorkingDirectory = "/",
        };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(command[0])} {string.Join(' ', command.Skip(1).Take(4))} failed: {error.Trim()}");
        }

        return output.Result.Trim();
    }
}
