using Microsoft.Data.Sqlite;
using SupportBot.Core.Storage;

namespace SupportBot.Operations;

/// <summary>
/// backup and restore. A backup is a consistent copy made with VACUUM INTO, safe while the bot runs (SQLite
/// reads a snapshot). The key stays out of it unless asked for: a backup and its key together reveal everything.
/// </summary>
internal static class Backups
{
    /// <summary>What backup and restore say with Storage:Provider=postgres: the database server has its own tools.</summary>
    internal const string PostgresAnswer =
        "Storage:Provider is postgres: back up PostgreSQL with pg_dump (for example `pg_dump -Fc -f supportbot.dump <database>`) and restore with pg_restore; "
        + "keep Storage:EncryptionKey apart from the dump. SupportBot's backup and restore copy the SQLite file only.";

    public static async Task<int> BackupAsync(StorageOptions storage, string file, bool withKey)
    {
        if (storage.IsPostgres)
        {
            return await FailAsync(PostgresAnswer);
        }

        var source = Path.GetFullPath(storage.Path);
        var target = Path.GetFullPath(file);
        if (!File.Exists(source))
        {
            return await FailAsync($"There is no database at {source} to back up (check Storage:Path).");
        }

        if (File.Exists(target) || (withKey && File.Exists(target + ".key")))
        {
            return await FailAsync($"{target} already exists; choose a new name, a backup never overwrites one.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "VACUUM INTO $target";
            command.Parameters.AddWithValue("$target", target);
            await command.ExecuteNonQueryAsync();
        }

        OwnerOnly(target);
        await Console.Out.WriteLineAsync($"Backed up {source} to {target}.");
        if (withKey)
        {
            if (storage.EncryptionKey.Length == 0 && !File.Exists(MessageCipher.KeyFilePath(storage)))
            {
                return await FailAsync("No key to export: Storage:EncryptionKey is not set and there is no key file beside the database.");
            }

            await WriteOwnerOnlyAsync(target + ".key", Convert.ToBase64String(MessageCipher.ResolveKey(storage)));
            await Console.Out.WriteLineAsync($"The key is in {target}.key. Keep it apart from the backup: together they reveal every stored message.");
        }

        return 0;
    }

    /// <summary>Puts a backup in place of the database (the old one is kept beside it), then opens it as a start would.</summary>
    public static async Task<int> RestoreAsync(StorageOptions storage, string file, Action openAsAtStart)
    {
        if (storage.IsPostgres)
        {
            return await FailAsync(PostgresAnswer);
        }

        var backup = Path.GetFullPath(file);
        var target = Path.GetFullPath(storage.Path);
        if (!File.Exists(backup))
        {
            return await FailAsync($"There is no backup at {backup}.");
        }

        var check = await IntegrityAsync(backup);
        if (check != "ok")
        {
            return await FailAsync($"{backup} is not a usable SupportBot backup: {check}");
        }

        // A key exported beside the backup is used when the bot keeps its key in a file and has none yet.
        var keyFile = MessageCipher.KeyFilePath(storage);
        if (storage.EncryptionKey.Length == 0 && File.Exists(backup + ".key"))
        {
            var exported = (await File.ReadAllTextAsync(backup + ".key")).Trim();
            if (File.Exists(keyFile) && (await File.ReadAllTextAsync(keyFile)).Trim() != exported)
            {
                return await FailAsync($"{keyFile} holds a different key than {backup}.key; a key is never overwritten. Move it away first if the backup's key is the right one.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
            if (!File.Exists(keyFile))
            {
                await WriteOwnerOnlyAsync(keyFile, exported);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string? kept = null;
        if (File.Exists(target))
        {
            kept = $"{target}.before-restore-{DateTime.UtcNow:yyyyMMddHHmmss}";
            File.Move(target, kept);
            foreach (var suffix in new[] { "-wal", "-shm" })
            {
                if (File.Exists(target + suffix))
                {
                    File.Move(target + suffix, kept + suffix);
                }
            }
        }

        File.Copy(backup, target);
        OwnerOnly(target);
        try
        {
            openAsAtStart();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Put the old database back: a restore that cannot be opened must not leave the bot without one.
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(target + suffix);
                if (kept is not null && File.Exists(kept + suffix))
                {
                    File.Move(kept + suffix, target + suffix);
                }
            }

            await Console.Error.WriteLineAsync($"The backup was not restored; {(kept is null ? "nothing was changed" : "the previous database is back in place")}.");
            throw;
        }
        await Console.Out.WriteLineAsync($"Restored {backup} to {target}" + (kept is null ? "." : $"; the database it replaced is kept as {kept}."));
        return 0;
    }

    private static async Task<string> IntegrityAsync(string path)
    {
        try
        {
            await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE name = 'Conversations'), (SELECT integrity_check FROM pragma_integrity_check LIMIT 1)";
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return reader.GetInt64(0) == 0 ? "it has no Conversations table." : reader.GetString(1);
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync(message);
        return 2;
    }

    private static void OwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static async Task WriteOwnerOnlyAsync(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        await writer.WriteAsync(text);
    }
}
