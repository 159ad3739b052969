namespace SupportBot.Operations;

/// <summary>What the console adapter would read: a terminal, a pipe or a file work; nothing at all does not.</summary>
internal static class StandardInput
{
    /// <summary>Why the console adapter cannot run on this standard input, or null when it can.</summary>
    public static string? Problem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // /proc/self/fd/0 links to the terminal, "pipe:[…]", a file, or /dev/null. When the process started with
        // stdin closed, the runtime reuses descriptor 0 for a pipe of its own, whose write end it also holds.
        var target = new FileInfo("/proc/self/fd/0").LinkTarget;
        if (target is not null && target.StartsWith("pipe:", StringComparison.Ordinal) && WritesTo(target))
        {
            target = null;
        }

        // A Native AOT build opens /dev/urandom as it starts, which takes descriptor 0 when stdin was closed.
        if (target == "/dev/urandom")
        {
            target = null;
        }

        if (target is null or "/dev/null")
        {
            return "No platform is configured (set Discord:Token or Slack:BotToken) and standard input is "
                + (target is null ? "closed" : "/dev/null")
                + ", so the console adapter has nothing to read. In a container, configure a platform, or run with -it to use the console.";
        }

        return null;
    }

    // Its own pipe: this process also holds the write end (fdinfo flags ending in 1, O_WRONLY).
    private static bool WritesTo(string pipe)
    {
        try
        {
            return new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
                .Where(fd => fd.Name != "0" && fd.LinkTarget == pipe)
                .Any(fd => File.ReadLines($"/proc/self/fdinfo/{fd.Name}").FirstOrDefault(l => l.StartsWith("flags:", StringComparison.Ordinal)) is { } flags
                    && flags.Trim().EndsWith('1'));
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A person is typing and reading: both ends are a terminal.</summary>
    public static bool IsInteractive => !Console.IsInputRedirected && !Console.IsOutputRedirected;
}
