namespace SupportBot.Core.Storage;

/// <summary>
/// Tells, on SQLite, whether the process that holds a lease still runs, so that a start takes at once what a process
/// killed before it left, and never what a live one holds. Each process holds an exclusive lock on a file named by its
/// owner id (<see cref="InboxStore.Owner"/>) in a folder beside the database, for as long as it runs; the operating system
/// drops the lock when the process ends, however it ends (kill -9 included). A file nobody holds, or no file, is a process
/// that is gone. The processes on one SQLite file share one machine (its locking does not work across a network), so
/// each sees the others' locks. The file holds nothing: its name is the random owner id.
/// </summary>
internal sealed class OwnerLock : IDisposable
{
    private readonly string _folder;
    private readonly FileStream _held;

    public OwnerLock(string databasePath, string owner)
    {
        _folder = Path.GetFullPath(databasePath) + ".owners";
        Directory.CreateDirectory(_folder);
        _held = new FileStream(FileOf(owner), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
    }

    /// <summary>True when the process that leased rows as <paramref name="owner"/> is known to have ended.</summary>
    public bool IsGone(string owner)
    {
        // An owner id is hex (InboxStore.Owner): anything else read from the database is never made a path.
        if (owner.Length == 0 || !owner.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        try
        {
            // Taken: nobody holds it, so its process ended; the file goes with this handle.
            using var probe = new FileStream(FileOf(owner), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Never made (a run before these files existed) or already cleaned up by another process that found it gone.
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Held: that process runs. (Or unreadable here: its leases are then left to run out.)
            return false;
        }
    }

    public void Dispose() => _held.Dispose();

    private string FileOf(string owner) => Path.Combine(_folder, owner);
}
