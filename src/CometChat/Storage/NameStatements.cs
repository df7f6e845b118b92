using System.Data;
using CometChat.Core;
using Dapper;

namespace CometChat.Storage;

/// <summary>
/// The name-profile statements of <see cref="IWriteTransaction"/> (skeletons, look-alike lookups, renames), in SQL
/// that SQLite and PostgreSQL both accept; each engine's transaction runs them on its own connection.
/// </summary>
internal static class NameStatements
{
    private static string Table(NameKind kind) => kind == NameKind.User ? "users" : "rooms";

    public static IReadOnlyList<string> WithoutSkeleton(IDbConnection c, IDbTransaction tx, int? timeout, NameKind kind, int limit) =>
        c.Query<string>($"SELECT name FROM {Table(kind)} WHERE skeleton IS NULL ORDER BY name LIMIT @limit", new { limit }, tx, commandTimeout: timeout).AsList();

    public static void ClearSkeletons(IDbConnection c, IDbTransaction tx, int? timeout, NameKind kind) =>
        c.Execute($"UPDATE {Table(kind)} SET skeleton = NULL", null, tx, timeout);

    public static void SetSkeleton(IDbConnection c, IDbTransaction tx, int? timeout, NameKind kind, string name, string skeleton) =>
        c.Execute($"UPDATE {Table(kind)} SET skeleton = @skeleton WHERE name = @name", new { name, skeleton }, tx, timeout);

    public static IReadOnlyList<string> WithSkeleton(IDbConnection c, IDbTransaction tx, int? timeout, NameKind kind, string skeleton) =>
        c.Query<string>($"SELECT name FROM {Table(kind)} WHERE skeleton = @skeleton ORDER BY name", new { skeleton }, tx, commandTimeout: timeout).AsList();

    public static IReadOnlyList<string[]> Collisions(IDbConnection c, IDbTransaction tx, int? timeout, NameKind kind)
    {
        var t = Table(kind);
        var rows = c.Query<(string Skeleton, string Name)>(
            $"SELECT skeleton, name FROM {t} WHERE skeleton IN " +
            $"(SELECT skeleton FROM {t} WHERE skeleton IS NOT NULL GROUP BY skeleton HAVING count(*) > 1) ORDER BY skeleton, name",
            null, tx, commandTimeout: timeout);
        return [.. rows.GroupBy(r => r.Skeleton, StringComparer.Ordinal).Select(g => g.Select(r => r.Name).ToArray())];
    }

    /// <summary>Every column that holds a user or room name. A table added later with such a column belongs here too.</summary>
    public static void Rename(IDbConnection c, IDbTransaction tx, int? timeout, NameKind kind, string from, string to)
    {
        void Exec(string sql, object args) => c.Execute(sql, args, tx, timeout);
        if (kind == NameKind.Room)
        {
            // members.room references rooms.name: the new row first, then the members, then the old row.
            Exec("INSERT INTO rooms (name, created_by, created_at, skeleton) SELECT @to, created_by, created_at, skeleton FROM rooms WHERE name = @from", new { from, to });
            Exec("UPDATE members SET room = @to WHERE room = @from", new { from, to });
            Exec("DELETE FROM rooms WHERE name = @from", new { from });
            Exec("UPDATE messages SET recipient = @to WHERE recipient = @from", new { from = "#" + from, to = "#" + to });
            Exec("UPDATE messages SET conversation = @to WHERE conversation = @from", new { from = Conversations.Room(from), to = Conversations.Room(to) });
            return;
        }
        Exec("UPDATE users SET name = @to WHERE name = @from", new { from, to });
        Exec("UPDATE messages SET sender = @to WHERE sender = @from", new { from, to });
        Exec("UPDATE messages SET recipient = @to WHERE recipient = @from", new { from, to });
        Exec("UPDATE inbox SET \"user\" = @to WHERE \"user\" = @from", new { from, to });
        Exec("UPDATE members SET \"user\" = @to WHERE \"user\" = @from", new { from, to });
        Exec("UPDATE rooms SET created_by = @to WHERE created_by = @from", new { from, to });
        Exec("UPDATE support_sessions SET customer = @to WHERE customer = @from", new { from, to });
        Exec("UPDATE support_sessions SET agent = @to WHERE agent = @from", new { from, to });
        Exec("UPDATE messages SET conversation = @to WHERE conversation = @from", new { from = Conversations.Support(from), to = Conversations.Support(to) });
        // Direct conversations are "a\nb" with the pair sorted, so a renamed side may change the order.
        var n = from.EnumerateRunes().Count() + 1; // SQL length() counts code points
        var pairs = c.Query<string>(
            "SELECT DISTINCT conversation FROM messages WHERE substr(conversation, 1, @n) = @prefix " +
            "OR (length(conversation) > @n AND substr(conversation, length(conversation) - @n + 1) = @suffix)",
            new { n, prefix = from + "\n", suffix = "\n" + from }, tx, commandTimeout: timeout).AsList();
        foreach (var pair in pairs)
        {
            var sides = pair.Split('\n');
            if (sides.Length != 2 || sides[0] == SupportDesk.Address) continue;
            var renamed = Conversations.Direct(sides[0] == from ? to : sides[0], sides[1] == from ? to : sides[1]);
            Exec("UPDATE messages SET conversation = @renamed WHERE conversation = @pair", new { renamed, pair });
        }
    }
}
