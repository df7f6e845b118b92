using CometChat.Core;

namespace CometChat.Storage;

/// <summary>
/// The writes of issue 11: names under the name profile (skeletons, renames of names stored before it), ending
/// sessions (revocations, account deletion) and erasing message bodies.
/// </summary>
internal sealed partial class SqlWriteTransaction : INameWrites
{
    private bool _erasedInBulk;

    public INameWrites Names => this;
    public bool Erased => _erasedInBulk;

    // ---- users: passwords, revocations, deletion

    public void SetPassword(string name, string? passwordHash) =>
        Exec("UPDATE users SET password_hash = @hash WHERE name = @name", ("hash", passwordHash), ("name", name));

    public void RevokeTokens(string user, long at) =>
        Exec("UPDATE users SET tokens_after = @at WHERE name = @user AND (tokens_after IS NULL OR tokens_after < @at)", ("at", at), ("user", user));

    public void RevokeToken(string tokenHash, string user, long expiresAt) =>
        Exec("INSERT INTO revoked_tokens (token_hash, \"user\", expires_at) VALUES (@hash, @user, @expiresAt) ON CONFLICT (token_hash) DO NOTHING",
            ("hash", tokenHash), ("user", user), ("expiresAt", expiresAt));

    public void PurgeRevokedTokens(long now) => Exec("DELETE FROM revoked_tokens WHERE expires_at < @now", ("now", now));

    public void DeleteUser(string user, long at) =>
        Exec("UPDATE users SET deleted_at = @at, password_hash = NULL, tokens_after = @at WHERE name = @user", ("at", at), ("user", user));

    public IReadOnlyList<string> RoomsOf(string user) =>
        Rows("SELECT room FROM memberships WHERE \"user\" = @user AND to_mid IS NULL ORDER BY room", r => r.GetString(0), ("user", user));

    // ---- erasing

    // The kinds are the server's own constants, written inline (a list parameter is spelled differently by each engine).
    private static readonly string ErasableKinds = string.Join(", ", MessageKinds.Erasable.Select(k => "'" + k + "'"));

    public (int Count, IReadOnlyList<string> Files) EraseMessages(MessageErasure what, long erasedAt)
    {
        var where = $"erased_at IS NULL AND recalled_at IS NULL AND kind IN ({ErasableKinds})";
        if (what.Sender is not null) where += " AND sender = @sender";
        if (what.SentBefore is not null) where += " AND sent_at < @before";
        // Oldest first and bounded, so a large erasure runs as several short write batches.
        var mids = Rows($"SELECT mid FROM messages WHERE {where} ORDER BY mid LIMIT @limit", r => r.GetInt64(0),
            ("sender", what.Sender), ("before", what.SentBefore), ("limit", what.Limit));
        var files = new List<string>();
        // As a recall erases (Recall above): the body, its edits' bodies, its file and its search entry.
        foreach (var mid in mids)
        {
            Exec("UPDATE messages SET body = '', file = NULL, erased_at = @erasedAt WHERE mid = @mid", ("erasedAt", erasedAt), ("mid", mid));
            Exec("UPDATE messages SET body = '' WHERE ref = @mid AND kind = 'edit'", ("mid", mid));
            Exec(_w.SearchDeleteSql, ("mid", mid));
            if (EraseOf(mid) is { } file) files.Add(file);
        }
        if (mids.Count > 0) _erased = _erasedInBulk = true;
        return (mids.Count, files);
    }

    public IReadOnlyList<string> EraseUnsent(string? owner, long? uploadedBefore)
    {
        var where = "mid IS NULL";
        if (owner is not null) where += " AND owner = @owner";
        if (uploadedBefore is not null) where += " AND created_at < @before";
        var ids = Rows($"SELECT id FROM files WHERE {where}", r => r.GetString(0), ("owner", owner), ("before", uploadedBefore));
        if (ids.Count == 0) return ids;
        Exec($"DELETE FROM files WHERE {where}", ("owner", owner), ("before", uploadedBefore));
        _erased = true;
        return ids;
    }

    // ---- names

    private static string Table(NameKind kind) => kind == NameKind.User ? "users" : "rooms";

    public IReadOnlyList<string> NamesWithoutSkeleton(NameKind kind, int limit) =>
        Rows($"SELECT name FROM {Table(kind)} WHERE skeleton IS NULL ORDER BY name LIMIT @limit", r => r.GetString(0), ("limit", limit));

    public void ClearSkeletons(NameKind kind) => Exec($"UPDATE {Table(kind)} SET skeleton = NULL");

    public void SetSkeleton(NameKind kind, string name, string skeleton) =>
        Exec($"UPDATE {Table(kind)} SET skeleton = @skeleton WHERE name = @name", ("skeleton", skeleton), ("name", name));

    public IReadOnlyList<string> NamesWithSkeleton(NameKind kind, string skeleton) =>
        Rows($"SELECT name FROM {Table(kind)} WHERE skeleton = @skeleton ORDER BY name", r => r.GetString(0), ("skeleton", skeleton));

    public IReadOnlyList<string[]> SkeletonCollisions(NameKind kind)
    {
        var t = Table(kind);
        var rows = Rows($"SELECT skeleton, name FROM {t} WHERE skeleton IN " +
            $"(SELECT skeleton FROM {t} WHERE skeleton IS NOT NULL GROUP BY skeleton HAVING count(*) > 1) ORDER BY skeleton, name",
            r => (Skeleton: r.GetString(0), Name: r.GetString(1)));
        return [.. rows.GroupBy(r => r.Skeleton, StringComparer.Ordinal).Select(g => g.Select(r => r.Name).ToArray())];
    }

    /// <summary>Tables keyed by a conversation (messages.conversation), whose keys hold names.</summary>
    private static readonly string[] ConversationTables = ["messages", "conversation_reads"];

    /// <summary>Every column that holds a user or room name. A table added later with such a column belongs here too.</summary>
    public void Rename(NameKind kind, string from, string to)
    {
        _addressed = null;
        if (kind == NameKind.Room)
        {
            // memberships.room references rooms.name: the new row first, then the memberships, then the old row.
            Exec("INSERT INTO rooms (name, created_by, created_at, skeleton) SELECT @to, created_by, created_at, skeleton FROM rooms WHERE name = @from", ("to", to), ("from", from));
            Exec("UPDATE memberships SET room = @to WHERE room = @from", ("to", to), ("from", from));
            Exec("DELETE FROM rooms WHERE name = @from", ("from", from));
            Exec("UPDATE messages SET recipient = @to WHERE recipient = @from", ("to", "#" + to), ("from", "#" + from));
            foreach (var table in ConversationTables)
            foreach (var (oldKey, newKey) in new[] { (Conversations.Room(from), Conversations.Room(to)), (Conversations.Changes(Conversations.Room(from)), Conversations.Changes(Conversations.Room(to))) })
                Exec($"UPDATE {table} SET conversation = @to WHERE conversation = @from", ("to", newKey), ("from", oldKey));
            return;
        }
        foreach (var (table, column) in new[]
        {
            ("users", "name"), ("messages", "sender"), ("messages", "recipient"), ("inbox", "\"user\""), ("memberships", "\"user\""),
            ("rooms", "created_by"), ("support_sessions", "customer"), ("support_sessions", "agent"), ("revoked_tokens", "\"user\""),
            ("support_agents", "agent"), ("support_canned", "updated_by"), ("conversation_reads", "\"user\""), ("blocks", "blocker"),
            ("blocks", "blocked"), ("files", "owner"),
        })
            Exec($"UPDATE {table} SET {column} = @to WHERE {column} = @from", ("to", to), ("from", from));
        // Conversation keys holding the name: direct pairs ("a\nb", sorted, so a renamed side may change the order),
        // the support thread and its notes, the read markers, and each one's changes ("~" + key).
        var n = from.EnumerateRunes().Count() + 1; // SQL length() counts code points
        var keys = Rows("SELECT DISTINCT conversation FROM messages WHERE substr(conversation, 1, @n) = @prefix " +
            "OR substr(conversation, 1, @n + 1) = @changedPrefix OR conversation = @notes " +
            "OR (length(conversation) > @n AND substr(conversation, length(conversation) - @n + 1) = @suffix)",
            r => r.GetString(0), ("n", n), ("prefix", from + "\n"), ("changedPrefix", "~" + from + "\n"), ("suffix", "\n" + from),
            ("notes", Conversations.SupportNotes(from)));
        foreach (var key in keys)
            if (RenamedKey(key, from, to) is { } renamed)
                foreach (var table in ConversationTables)
                    Exec($"UPDATE {table} SET conversation = @renamed WHERE conversation = @key", ("renamed", renamed), ("key", key));
    }

    /// <summary><paramref name="key"/> with user <paramref name="from"/> renamed to <paramref name="to"/>, or null when it does not name them.</summary>
    private static string? RenamedKey(string key, string from, string to)
    {
        if (key.StartsWith('~')) return RenamedKey(key[1..], from, to) is { } inner ? "~" + inner : null;
        if (key == Conversations.Markers(from)) return Conversations.Markers(to);
        if (key == Conversations.Support(from)) return Conversations.Support(to);
        if (key == Conversations.SupportNotes(from)) return Conversations.SupportNotes(to);
        var sides = key.Split('\n');
        if (sides.Length != 2 || sides[0] is SupportDesk.Address || sides[0].StartsWith('!') || sides[0].StartsWith('#')) return null;
        return sides[0] == from || sides[1] == from ? Conversations.Direct(sides[0] == from ? to : sides[0], sides[1] == from ? to : sides[1]) : null;
    }
}
