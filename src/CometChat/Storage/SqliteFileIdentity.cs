using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace CometChat.Storage;

/// <summary>
/// Whether the database file a connection writes is still the file at its path. SQLite keeps writing to a file
/// that was deleted or replaced under it (the open descriptor lives on), and everything it commits there is
/// gone at the next start. SQLITE_FCNTL_HAS_MOVED compares the open file's inode with the path's.
/// </summary>
internal static partial class SqliteFileIdentity
{
    private const int FcntlHasMoved = 20; // SQLITE_FCNTL_HAS_MOVED, sqlite3.h

    // Microsoft.Data.Sqlite's bundled SQLite (e_sqlite3) exports the whole C API; SQLitePCLRaw wraps no file_control.
    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_file_control", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FileControl(IntPtr db, string schema, int op, ref int arg);

    /// <summary>
    /// Why <paramref name="c"/>'s files are no longer those at <paramref name="path"/>, or null when they are;
    /// <paramref name="committed"/>: after a commit, when the write-ahead log must exist too.
    /// </summary>
    public static string? Problem(SqliteConnection c, string path, bool committed)
    {
        var moved = 0;
        if (c.Handle is { } handle && FileControl(handle.DangerousGetHandle(), "main", FcntlHasMoved, ref moved) == 0 && moved != 0)
            return $"The database file {path} was deleted, moved or replaced while the server had it open.";
        // With the writer's connection open the write-ahead log always exists; gone, it took the last commits with it.
        if (committed && !File.Exists(path + "-wal")) return $"The database's write-ahead log {path}-wal was deleted while the server had it open.";
        return null;
    }
}
