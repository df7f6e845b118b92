using System.Data;
using CometChat.Core;
using Dapper;

namespace CometChat.Storage;

/// <summary>
/// The migration that creates the search index also fills it with the messages stored before: their tokens come
/// from <see cref="SearchGrams"/>, which SQL cannot compute, so this runs in the migration's own transaction.
/// </summary>
internal static class SearchBackfill
{
    public static bool Needed(string migration) => migration.Contains("message_search", StringComparison.Ordinal);

    public static void Run(IDbConnection c, IDbTransaction tx, string insertSql)
    {
        long after = 0;
        while (true)
        {
            var rows = c.Query<(long Mid, string Body)>(
                "SELECT mid, body FROM messages WHERE mid > @after AND kind IN ('text', 'file') AND recalled_at IS NULL ORDER BY mid LIMIT 1000",
                new { after }, tx).AsList();
            if (rows.Count == 0) return;
            foreach (var (mid, body) in rows)
                if (body.Length >= 2) c.Execute(insertSql, new { mid, grams = SearchGrams.Document(body) }, tx);
            after = rows[^1].Mid;
        }
    }
}
