using System.Data;
using CometChat.Core;
using Dapper;

namespace CometChat.Storage;

/// <summary>
/// The session-ending and erasing statements of <see cref="IWriteTransaction"/> (revocations, account deletion,
/// erasure), in SQL that SQLite and PostgreSQL both accept; each engine's transaction runs them on its connection.
/// </summary>
internal static class AccountStatements
{
    public static void RevokeTokens(IDbConnection c, IDbTransaction tx, int? timeout, string user, long at) =>
        c.Execute("UPDATE users SET tokens_after = @at WHERE name = @user AND (tokens_after IS NULL OR tokens_after < @at)",
            new { user, at }, tx, timeout);

    public static void RevokeToken(IDbConnection c, IDbTransaction tx, int? timeout, string tokenHash, string user, long expiresAt) =>
        c.Execute("INSERT INTO revoked_tokens (token_hash, \"user\", expires_at) VALUES (@tokenHash, @user, @expiresAt) ON CONFLICT (token_hash) DO NOTHING",
            new { tokenHash, user, expiresAt }, tx, timeout);

    public static void PurgeRevokedTokens(IDbConnection c, IDbTransaction tx, int? timeout, long now) =>
        c.Execute("DELETE FROM revoked_tokens WHERE expires_at < @now", new { now }, tx, timeout);

    public static void DeleteUser(IDbConnection c, IDbTransaction tx, int? timeout, string user, long at) =>
        c.Execute("UPDATE users SET deleted_at = @at, password_hash = NULL, tokens_after = @at WHERE name = @user", new { user, at }, tx, timeout);

    public static IReadOnlyList<string> RoomsOf(IDbConnection c, IDbTransaction tx, int? timeout, string user) =>
        c.Query<string>("SELECT room FROM members WHERE \"user\" = @user ORDER BY room", new { user }, tx, commandTimeout: timeout).AsList();

    public static int EraseMessages(IDbConnection c, IDbTransaction tx, int? timeout, MessageErasure what, long erasedAt)
    {
        // The kinds are the server's own constants, written inline (a list parameter is spelled differently by each engine).
        var where = $"erased_at IS NULL AND kind IN ({string.Join(", ", MessageKinds.Erasable.Select(k => "'" + k + "'"))})";
        if (what.Mid is not null) where += " AND mid = @Mid";
        if (what.Sender is not null) where += " AND sender = @Sender";
        if (what.SentBefore is not null) where += " AND sent_at < @SentBefore";
        // Oldest first and bounded, so a large erasure runs as several short write batches.
        return c.Execute(
            $"UPDATE messages SET body = '', erased_at = @erasedAt WHERE mid IN (SELECT mid FROM messages WHERE {where} ORDER BY mid LIMIT @Limit)",
            new { what.Mid, what.Sender, what.SentBefore, what.Limit, erasedAt }, tx, timeout);
    }

    public const string TokenStateSql =
        "SELECT (SELECT tokens_after FROM users WHERE name = @user) AS TokensAfter, (SELECT deleted_at FROM users WHERE name = @user) AS DeletedAt, " +
        "(SELECT count(*) FROM revoked_tokens WHERE token_hash = @tokenHash) AS Revocations";
}
