using System.Diagnostics;
using System.Net;
using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Performance;

/// <summary>Correctness under load, not speed: timings belong to the load tool, never to assertions.</summary>
public sealed class CorrectnessUnderLoadTests
{
    [Fact]
    public async Task ThousandsOfParkedPollsGetOneRoomMessageExactlyOnce()
    {
        // 2,000 parked polls: 400 members with 5 tabs each (joins fan out to every member, so fewer members keep setup short).
        const int members = 400, tabs = 5;
        await using var server = await ChatServer.StartAsync();
        var users = Enumerable.Range(0, members).Select(i => new TestUser(server, "m" + i, ChatServer.MintToken("m" + i, DateTimeOffset.UtcNow, TimeSpan.FromHours(1)), 0)).ToList();
        await ForEachAsync(users, 16, async u =>
        {
            using var res = await server.Http.SendAsync(u.Request(HttpMethod.Post, "api/rooms/lobby/join"));
            res.StatusCode.ShouldBe(HttpStatusCode.OK);
        });
        var head = server.Get<Feed>().Head;

        var polls = users.SelectMany(u => Enumerable.Range(0, tabs).Select(_ => u.GetAsync($"api/poll?since={head}&timeout=60"))).ToList();
        var stats = server.Get<ChatStats>();
        await server.WaitForListenersAsync(s => s.ParkedPolls >= members * tabs, $"{members * tabs} parked polls");

        var mid = (await users[0].SendAsync("#lobby", "to everyone")).GetProperty("mid").GetInt64();
        var pages = await Task.WhenAll(polls).DefaultTimeout();
        pages.Length.ShouldBe(members * tabs);
        pages.ShouldAllBe(p => TestUser.Mids(p).SequenceEqual(new[] { mid }));
        (await users[^1].GetAsync($"api/messages?since={head}")).GetProperty("messages").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task AGroupCommitThatFailsAcknowledgesNothing()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:DatabaseBusyTimeoutSeconds"] = "1" });
        var senders = new List<TestUser>();
        for (var i = 0; i < 10; i++) senders.Add(await server.LoginAsync("s" + i));
        var reader = await server.LoginAsync("reader");

        // Another process holds the write lock, so the batches these sends join cannot commit.
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\nsys.stdin.read()", server.DatabasePath })
            psi.ArgumentList.Add(a);
        using (var locker = Process.Start(psi)!)
        {
            (await locker.StandardOutput.ReadLineAsync().DefaultTimeout()).ShouldBe("locked");
            var sends = Enumerable.Range(0, 100).Select(async i =>
            {
                using var res = await server.Http.SendAsync(senders[i % 10].Request(HttpMethod.Post, "api/messages",
                    ChatServer.Form(("to", "reader"), ("body", "b" + i), ("id", "g" + i))));
                return res.StatusCode;
            });
            (await Task.WhenAll(sends).DefaultTimeout()).ShouldAllBe(s => s == HttpStatusCode.ServiceUnavailable);
            locker.Kill();
            await locker.WaitForExitAsync().DefaultTimeout();
        }

        TestUser.Mids(await reader.GetAsync("api/messages?since=0")).ShouldBeEmpty();
        for (var i = 0; i < 100; i++)
            (await senders[i % 10].SendAsync("reader", "b" + i, id: "g" + i)).TryGetProperty("duplicate", out _).ShouldBeFalse();
        TestUser.Mids(await reader.GetAsync("api/messages?since=0&limit=500")).Length.ShouldBe(100);
    }

    private static async Task ForEachAsync<T>(IReadOnlyList<T> items, int parallel, Func<T, Task> work)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < items.Count) await work(items[i]);
        }));
    }
}
