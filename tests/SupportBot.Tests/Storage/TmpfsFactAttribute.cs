using System.Diagnostics;

namespace SupportBot.Tests.Storage;

/// <summary>
/// A fact that needs a real, tiny file system to fill: a tmpfs mount, which needs root on Linux. Where mounting is
/// not allowed the test is skipped, saying why; a full disk cannot be faked honestly from inside SQLite's callers.
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Problem = new(Probe);

    public TmpfsFactAttribute()
    {
        if (Problem.Value is { } problem)
        {
            Skip = problem;
        }
    }

    /// <summary>Mounts a tmpfs of the given size on a new folder; dispose unmounts it.</summary>
    public static TinyDisk Mount(string folder, string size)
    {
        Directory.CreateDirectory(folder);
        Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", folder);
        return new TinyDisk(folder);
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "A tmpfs mount is needed to fill a disk for real; this is not Linux.";
        }

        var folder = Directory.CreateTempSubdirectory("supportbot-probe-").FullName;
        try
        {
            using (Mount(folder, "64k"))
            {
                return null;
            }
        }
        catch (InvalidOperationException e)
        {
            return "A tmpfs mount is needed to fill a disk for real, and this machine refused it (run as root): " + e.Message;
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    private static void Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(error.Trim());
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(e.Message);
        }
    }

    public sealed class TinyDisk(string folder) : IDisposable
    {
        private readonly string _filler = Path.Combine(folder, "filler");

        public string Folder => folder;

        /// <summary>Writes a file until the file system has no byte left.</summary>
        public void Fill()
        {
            using var stream = new FileStream(_filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
            foreach (var size in new[] { 64 * 1024, 4096, 1 })
            {
                var chunk = new byte[size];
                try
                {
                    while (true)
                    {
                        stream.Write(chunk);
                        stream.Flush();
                    }
                }
                catch (IOException)
                {
                    // Full at this chunk size; try smaller ones to take the last bytes too.
                }
            }
        }

        public void Free() => File.Delete(_filler);

        public void Dispose() => Run("umount", "-l", folder);
    }
}
