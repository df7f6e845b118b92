using System.Diagnostics;
using CometChat.Core;
using CometChat.Storage;

namespace CometChat.LoadGen;

/// <summary>
/// seed-search: writes a SQLite store of --messages messages (default 1,000,000) through the server's own write
/// transaction (so the search index, conversation rows and room heads are exactly what the server writes), for the
/// search workload to measure against: --users users, --rooms rooms of --members members each; the user
/// <c>reader</c> is in every room. Bodies mix English, Chinese and Japanese phrases; 退货 is in about 1 message in
/// 200, "refund" in 1 in 100, "invoice 7731" in 20 only. Not committed data: made on demand, in about a minute.
/// </summary>
internal static class SearchStore
{
    private static readonly string[] Phrases =
    [
        "where is my order", "thanks a lot", "see you tomorrow", "can we talk later", "the meeting moved to 3pm", "lunch?",
        "我想问一下", "今天天气很好", "请稍等", "谢谢你的帮助", "明天见", "这个多少钱", "注文を確認してください", "ありがとうございます",
        "すみません、遅れます", "了解です", "the build is green again", "did you see the report", "ok", "sounds good to me",
    ];

    public static Report Seed(Options o)
    {
        var path = Path.GetFullPath(o.Get("database", "search-1m.db"));
        int messages = o.Int("messages", 1_000_000), users = o.Int("users", 2000), rooms = o.Int("rooms", 500), members = o.Int("members", 20);
        foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        var options = Microsoft.Extensions.Options.Options.Create(new ChatOptions { Database = path });
        var db = new SqliteDatabase(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<SqliteDatabase>.Instance);
        using var store = new SqliteMessageStore(db);
        store.Initialize();
        var random = new Random(17);
        var clock = Stopwatch.StartNew();
        long now = 1_700_000_000_000;
        var memberOf = new List<string>[rooms];

        Batch(store, tx =>
        {
            tx.Users.CreateUser("reader", null, now);
            for (var u = 0; u < users; u++) tx.Users.CreateUser("u" + u, null, now);
            for (var r = 0; r < rooms; r++)
            {
                var room = "r" + r;
                tx.Rooms.CreateRoom(room, "reader", now);
                memberOf[r] = ["reader", .. Enumerable.Range(0, members - 1).Select(_ => "u" + random.Next(users)).Distinct()];
                foreach (var user in memberOf[r])
                {
                    var join = tx.Messages.AppendToRoom(new Message(0, Guid.NewGuid().ToString(), user, "#" + room, MessageKinds.Join, "joined", now), room);
                    tx.Rooms.Join(room, user, join.Mid, now);
                }
            }
        });

        const int perBatch = 20_000;
        for (var done = 0; done < messages; done += perBatch)
        {
            var n = Math.Min(perBatch, messages - done);
            Batch(store, tx =>
            {
                for (var i = 0; i < n; i++)
                {
                    now += 50;
                    var body = Body(random, done + i);
                    if (random.Next(10) < 6)
                    {
                        var r = random.Next(rooms);
                        var from = memberOf[r][random.Next(memberOf[r].Count)];
                        tx.Messages.AppendToRoom(new Message(0, Guid.NewGuid().ToString(), from, "#r" + r, MessageKinds.Text, body, now), "r" + r);
                    }
                    else
                    {
                        // A third of the direct messages are the reader's.
                        var a = random.Next(3) == 0 ? "reader" : "u" + random.Next(users);
                        var b = "u" + random.Next(users);
                        if (a == b) b = "reader";
                        tx.Messages.Append(new Message(0, Guid.NewGuid().ToString(), a, b, MessageKinds.Text, body, now), [a, b], Conversations.Direct(a, b));
                    }
                }
            });
        }
        return new Report("seed-search").Add("database", path).Add("messages", messages).Add("rooms", rooms).Add("users", users)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds, 1)).Add("bytes", new FileInfo(path).Length);
    }

    private static string Body(Random random, int i)
    {
        var body = Phrases[random.Next(Phrases.Length)] + " " + Phrases[random.Next(Phrases.Length)];
        if (i % 200 == 7) body += " 我想退货";
        if (i % 100 == 3) body += " I would like a refund";
        if (i % 50_000 == 11) body += " about invoice 7731";
        return body;
    }

    private static void Batch(SqliteMessageStore store, Action<IWrites> work)
    {
        using var tx = store.BeginWrite();
        work(tx);
        tx.Commit();
    }
}

/// <summary>
/// search: the user <c>reader</c> (in every room of a seed-search store) searches over HTTP, one request at a time,
/// --queries times, cycling through a common CJK word, a common English one, a rare one, a Japanese phrase, a
/// two-word phrase and a word that is nowhere; each page is --limit (20) messages, newest first.
/// </summary>
internal static class SearchWorkload
{
    private static readonly string[] Queries = ["退货", "refund", "invoice 7731", "ありがとう", "where is", "xyzzy"];

    public static async Task<Report> RunAsync(Options o, ChatApi api)
    {
        var token = await api.TokenAsync(o.Get("user", "reader"));
        int queries = o.Int("queries", 300), limit = o.Int("limit", 20);
        var all = new List<double>();
        var byQuery = Queries.ToDictionary(q => q, _ => new List<double>());
        for (var i = 0; i < Queries.Length; i++) await api.SearchAsync(token, Queries[i], limit); // warm-up
        for (var i = 0; i < queries; i++)
        {
            var q = Queries[i % Queries.Length];
            var clock = Stopwatch.StartNew();
            await api.SearchAsync(token, q, limit);
            var ms = clock.Elapsed.TotalMilliseconds;
            all.Add(ms);
            byQuery[q].Add(ms);
        }
        var report = new Report("search").Add("queries", queries).Add("limit", limit).Percentiles("all", all);
        for (var i = 0; i < Queries.Length; i++) report.Percentiles("q" + i, byQuery[Queries[i]]);
        return report;
    }
}
