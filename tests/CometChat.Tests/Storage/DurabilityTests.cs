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
}
