using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CometChat.Core;
using CometChat.Storage.Postgres;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Scaleout;

/// <summary>
/// Cursor order across writers. Several nodes write to one PostgreSQL; if mid 11 could become visible
/// before mid 10, a reader that moved its cursor to 11 would never see 10. Every write transaction takes
/// one advisory lock before its first nextval and holds it to its commit, so this cannot happen.
/// </summary>
public sealed class OrderingTests
{
    [Fact]
    public async Task AWriterOnAnotherNodeWaitsSoMidsCommitInOrder()
    {
        await using var cluster = await Cluster.StartAsync(3);
        await cluster[0].LoginAsync("alice");
        var bob = (await cluster[1].LoginAsync("bob")).On(cluster[2]);
        await bob.GetAsync("api/me"); // node C knows bob now: nothing there needs the writer (and its lock) later
        var start = bob.Cursor;

        using var first = cluster[0].Get<IMessageStore>().BeginWrite();
        var late = first.Messages.Append(Draft("late"), ["bob"], "alice\nbob");
        var second = Task.Run(() => CommitOne(cluster[1], Draft("early")));
        await WaitForLockWaiterAsync(cluster);
        second.IsCompleted.ShouldBeFalse(); // node B's writer is parked on the lock, before taking a mid

        await cluster[2].Get<Feed>().RefreshHeadAsync(CancellationToken.None);
        TestUser.Mids(await bob.GetAsync($"api/messages?since={start}")).ShouldBeEmpty();
        first.Commit();
        var early = await second.DefaultTimeout();

        early.Mid.ShouldBeGreaterThan(late.Mid);
        await cluster[2].Get<Feed>().RefreshHeadAsync(CancellationToken.None);
        TestUser.Mids(await bob.GetAsync($"api/messages?since={start}")).ShouldBe([late.Mid, early.Mid]);
    }

    /// <summary>
    /// A short poll answers at once and waits for no wake-up, so it must see a commit of another node whose wake-up
    /// has not arrived yet (a client holding a mid that node just answered). Here the wake-up never comes at all.
    /// </summary>
    [Fact]
    public async Task AShortPollSeesAnotherNodesCommitBeforeItsWakeUp()
    {
        await using var cluster = await Cluster.StartAsync(2);
        var alice = await cluster[0].LoginAsync("alice");
        var bob = (await cluster[0].LoginAsync("bob")).On(cluster[1]);
        var first = (await alice.SendAsync("bob", "announced")).GetProperty("mid").GetInt64();
        await ClusterTests.WaitAsync(() => cluster[1].Get<Feed>().Head >= first);

        var unannounced = CommitOne(cluster[0], Draft("not announced")); // stored, but no node was told
        TestUser.Mids(await bob.GetAsync($"api/messages?since={first}")).ShouldBe([unannounced.Mid]);
        (await bob.GetAsync($"api/poll?since={first}&timeout=0")).GetProperty("cursor").GetInt64().ShouldBe(unannounced.Mid);
    }

    /// <summary>What the lock prevents, shown with the lock switched off: the reader's cursor passes a mid that commits later.</summary>
    [Fact]
    public async Task WithoutTheWriteLockAReaderSkipsAMidCommittedLate()
    {
        await using var cluster = await Cluster.StartAsync(3);
        foreach (var node in cluster.Nodes) node.Get<PostgresDatabase>().SerializeWrites = false;
        await cluster[0].LoginAsync("alice");
        var bob = (await cluster[1].LoginAsync("bob")).On(cluster[2]);
        await bob.GetAsync("api/me");

        // From another sender: two open writes to one direct conversation would wait on its conversation row (API.md §8).
        using var first = cluster[0].Get<IMessageStore>().BeginWrite();
        var late = first.Messages.Append(Draft("late") with { From = "carol" }, ["bob"], Conversations.Direct("carol", "bob"));
        var early = CommitOne(cluster[1], Draft("early")); // no lock: it takes the next mid and commits first
        early.Mid.ShouldBe(late.Mid + 1);

        await cluster[2].Get<Feed>().RefreshHeadAsync(CancellationToken.None);
        var page = await bob.GetAsync($"api/messages?since={bob.Cursor}");
        TestUser.Mids(page).ShouldBe([early.Mid]);
        first.Commit();
        TestUser.Mids(await bob.GetAsync($"api/messages?since={page.GetProperty("cursor").GetInt64()}")).ShouldBeEmpty(); // lost for this reader
    }

    /// <summary>
    /// Two senders on each of three nodes, and a reader on each node following its feed by long poll: each
    /// reader gets every message sent to it exactly once, in mid order, with no gap. Set
    /// COMETCHAT_TEST_WITHOUT_WRITE_LOCK=1 to watch it fail without the write lock.
    /// </summary>
    [Fact]
    public async Task ConcurrentSendersOnEveryNodeNeverMakeAReaderSkip()
    {
        const int sendsPerSender = 120, readers = 3, sendersPerNode = 2;
        await using var cluster = await Cluster.StartAsync(3);
        if (Environment.GetEnvironmentVariable("COMETCHAT_TEST_WITHOUT_WRITE_LOCK") == "1")
            foreach (var node in cluster.Nodes) node.Get<PostgresDatabase>().SerializeWrites = false;
        var readerUsers = new TestUser[readers];
        for (var r = 0; r < readers; r++) readerUsers[r] = await cluster[r].LoginAsync("reader" + r);
        var senders = new List<TestUser>();
        for (var n = 0; n < cluster.Nodes.Length; n++)
            for (var k = 0; k < sendersPerNode; k++) senders.Add(await cluster[n].LoginAsync($"sender{n}x{k}"));

        var sent = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var expected = senders.Count * sendsPerSender / readers;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = readerUsers.Select(r => FollowAsync(r, expected, deadline.Token)).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(senders.Select(async s =>
        {
            for (var i = 0; i < sendsPerSender; i++)
            {
                var to = readerUsers[i % readers].Name;
                var mid = (await s.SendAsync(to, $"{s.Name} {i}")).GetProperty("mid").GetInt64();
                sent.GetOrAdd(to, _ => []).Add(mid);
            }
        }));
        var sending = clock.Elapsed;
        var seen = await Task.WhenAll(reading);

        for (var r = 0; r < readers; r++)
        {
            var want = sent[readerUsers[r].Name].Order().ToList();
            var got = seen[r];
            var missing = want.Except(got).ToList();
            missing.ShouldBeEmpty($"{readerUsers[r].Name} never got mids {string.Join(",", missing.Take(20))}");
            got.ShouldBe(want, $"{readerUsers[r].Name} must see each message once, in mid order");
        }
        Console.WriteLine($"{senders.Count * sendsPerSender} sends over 3 nodes in {sending.TotalSeconds:F1} s; every reader complete and in order");
    }

    /// <summary>Long-polls from the login cursor until <paramref name="count"/> messages arrived (or the deadline).</summary>
    private static async Task<List<long>> FollowAsync(TestUser reader, int count, CancellationToken ct)
    {
        var mids = new List<long>();
        var cursor = reader.Cursor;
        while (mids.Count < count)
        {
            System.Text.Json.JsonElement page;
            try { page = await reader.GetAsync($"api/poll?since={cursor}&limit=500", HttpStatusCode.OK, ct); }
            catch (OperationCanceledException) { break; } // the assertions name what is missing
            mids.AddRange(TestUser.Mids(page));
            cursor = page.GetProperty("cursor").GetInt64();
        }
        return mids;
    }

    private static Message Draft(string body) => new(0, Guid.NewGuid().ToString(), "alice", "bob", MessageKinds.Text, body, 0);

    private static Message CommitOne(ChatServer node, Message draft)
    {
        using var tx = node.Get<IMessageStore>().BeginWrite();
        var m = tx.Messages.Append(draft, ["bob"], "alice\nbob");
        tx.Commit();
        return m;
    }

    private static async Task WaitForLockWaiterAsync(Cluster cluster)
    {
        const string waiting = "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database " +
            "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = @db";
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (await PostgresTestDatabase.AdminScalarAsync(waiting, cluster.DatabaseName) == 0)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the second writer never waited on the write lock");
            await Task.Delay(10);
        }
    }
}
