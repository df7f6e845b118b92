using System.Net;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Storage;

public sealed class DurabilityTests
{
    [Fact]
    public async Task RestartKeepsEveryMessageOrderCursorAndIdempotency()
    {
        using var dir = new TempDirectory();
        long[] before;
        long cursor;
        await using (var server = await ChatServer.StartAsync(dir: dir))
        {
            var alice = await server.LoginAsync("alice");
            var bob = await server.LoginAsync("bob");
            for (var i = 0; i < 20; i++) await alice.SendAsync("bob", "m" + i, id: "k" + i);
            var page = await bob.GetAsync("api/messages?since=0&limit=10");
            cursor = page.GetProperty("cursor").GetInt64();
            before = TestUser.Mids(await bob.GetAsync("api/messages?since=0"));

            await server.RestartAsync();
            alice = await server.LoginAsync("alice");
            bob = await server.LoginAsync("bob");
            TestUser.Mids(await bob.GetAsync("api/messages?since=0")).ShouldBe(before);
            TestUser.Mids(await bob.GetAsync($"api/messages?since={cursor}")).ShouldBe(before[10..]);
            var dup = await alice.SendAsync("bob", "m3", id: "k3");
            dup.GetProperty("duplicate").GetBoolean().ShouldBeTrue();
            dup.GetProperty("mid").GetInt64().ShouldBe(before[3]);
            (await alice.SendAsync("bob", "after")).GetProperty("mid").GetInt64().ShouldBeGreaterThan(before[^1]);
        }
    }

    [Fact]
    public async Task KillDashNineAfterAcknowledgedBurstLosesNothing()
    {
        using var dir = new TempDirectory();
        var acknowledged = new List<long>();
        await using (var process = await ServerProcess.StartAsync(dir.Path))
        {
            var tokens = new List<string>();
            foreach (var name in new[] { "a", "b", "c", "d" })
            {
                using var login = await process.Http.PostAsync("api/login", ChatServer.Form(("name", name), ("password", "pw")));
                tokens.Add((await ChatServer.ReadJsonAsync(login, HttpStatusCode.OK)).GetProperty("token").GetString()!);
            }
            var sends = Enumerable.Range(0, 400).Select(async i =>
            {
                using var res = await process.Http.PostAsync("api/messages",
                    ChatServer.Form(("token", tokens[i % 4]), ("to", "abcd"[(i + 1) % 4].ToString()), ("body", "burst " + i), ("id", "burst" + i)));
                var json = await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
                lock (acknowledged) acknowledged.Add(json.GetProperty("mid").GetInt64());
            });
            await Task.WhenAll(sends).DefaultTimeout();
            await process.KillAsync();
        }

        await using var server = await ChatServer.StartAsync(dir: dir);
        var all = new List<long>();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            var user = await server.LoginAsync(name, "pw");
            all.AddRange(TestUser.Mids(await user.GetAsync("api/messages?since=0&limit=500")));
        }
        // Every message sits in its sender's and its recipient's feed: exactly twice overall.
        var counts = all.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        foreach (var mid in acknowledged) counts.GetValueOrDefault(mid).ShouldBe(2, $"mid {mid} was acknowledged");
        acknowledged.Count.ShouldBe(400);
    }

    [Fact]
    public async Task KillDashNineDuringAConcurrentBurstKeepsEveryAcknowledgedMessageOnceAndTheFileIntact()
    {
        using var dir = new TempDirectory();
        var names = new[] { "a", "b", "c", "d", "e" };
        var tokens = names.Select(n => ChatServer.MintToken(n, DateTimeOffset.UtcNow, TimeSpan.FromHours(1))).ToArray();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<long>();
        long cursorBeforeKill;
        await using (var process = await ServerProcess.StartAsync(dir.Path))
        {
            using var me = await process.Http.GetAsync("api/me?token=" + tokens[0]);
            cursorBeforeKill = (await ChatServer.ReadJsonAsync(me, HttpStatusCode.OK)).GetProperty("cursor").GetInt64();
            using var stop = new CancellationTokenSource();
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var senders = Enumerable.Range(0, 5).Select(s => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        using var res = await process.Http.PostAsync("api/messages", ChatServer.Form(
                            ("token", tokens[s]), ("to", names[(s + 1) % 5]), ("body", $"{s}:{i}"), ("id", $"k{s}-{i}")), stop.Token);
                        if (res.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add((await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK)).GetProperty("mid").GetInt64());
                            if (acknowledged.Count >= 300) enough.TrySetResult();
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException) { } // killed mid-request: not acknowledged
                }
            })).ToList();
            await enough.Task.DefaultTimeout();
            await process.KillAsync(); // mid-burst: sends are in flight in every sender
            await stop.CancelAsync();
            await Task.WhenAll(senders).DefaultTimeout();
        }

        using (var check = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + dir.File("chat.db")))
        {
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            (cmd.ExecuteScalar() as string).ShouldBe("ok");
        }

        await using var server = await ChatServer.StartAsync(dir: dir);
        var seen = new List<long>();
        foreach (var (name, token) in names.Zip(tokens))
        {
            var user = new TestUser(server, name, token, 0);
            var mids = new List<long>();
            var cursor = cursorBeforeKill; // clients resume from the cursor they had
            while (true)
            {
                var page = await user.GetAsync($"api/messages?since={cursor}&limit=500");
                mids.AddRange(TestUser.Mids(page));
                cursor = page.GetProperty("cursor").GetInt64();
                if (!page.GetProperty("more").GetBoolean()) break;
            }
            mids.ShouldBe(mids.Order().Distinct().ToList()); // in order, no duplicates
            seen.AddRange(mids);
        }
        var counts = seen.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        foreach (var mid in acknowledged) counts.GetValueOrDefault(mid).ShouldBe(2, $"acknowledged mid {mid}");
    }
}
