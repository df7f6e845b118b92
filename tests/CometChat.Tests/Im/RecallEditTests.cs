using System.Net;
using System.Text;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Im;

/// <summary>Recall and edit (API.md §8): feed messages to exactly the original's recipients, once, on every transport.</summary>
public class RecallEditTests : ImServerTests
{
    [Fact]
    public async Task EveryTransportGetsTheRecallOnce()
    {
        var readers = new List<FeedReader>();
        try
        {
            foreach (var t in FeedReader.All) readers.Add(await FeedReader.OpenAsync(Bob, t, Bob.Cursor));
            var longPoll = Bob.GetAsync($"api/poll?since={Bob.Cursor}");
            var jsonp = Bob.JsonpPollAsync(Bob.Cursor);
            var mid = (await Alice.SendAsync("bob", "sent by mistake")).Num("mid");
            foreach (var r in readers) (await r.NextMessageAsync()).Mid.ShouldBe(mid);
            TestUser.Mids(await longPoll.DefaultTimeout()).ShouldBe([mid]);
            TestUser.Mids(await jsonp.DefaultTimeout()).ShouldBe([mid]);

            longPoll = Bob.GetAsync($"api/poll?since={mid}");
            jsonp = Bob.JsonpPollAsync(mid);
            var recall = await Alice.RecallAsync(mid);
            var recallMid = recall.Num("mid");
            foreach (var r in readers)
            {
                var got = await r.NextMessageAsync();
                got.Mid.ShouldBe(recallMid, r.GetType().Name);
                if (got.Json is { } json) (json.Str("kind"), json.Num("ref"), json.Str("body")).ShouldBe(("recall", mid, ""));
            }
            foreach (var page in new[] { await longPoll.DefaultTimeout(), await jsonp.DefaultTimeout() })
            {
                var m = page.GetProperty("messages").EnumerateArray().Single();
                (m.Num("mid"), m.Str("kind"), m.Num("ref")).ShouldBe((recallMid, "recall", mid));
            }

            // Once: recalling again stores nothing; the next thing every transport gets is the next message.
            var again = await Alice.RecallAsync(mid);
            (again.Num("mid"), again.GetProperty("duplicate").GetBoolean()).ShouldBe((recallMid, true));
            var next = (await Alice.SendAsync("bob", "next")).Num("mid");
            foreach (var r in readers) (await r.NextMessageAsync()).Mid.ShouldBe(next);
        }
        finally
        {
            foreach (var r in readers) await r.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnOfflineRecipientMeetsTheErasedOriginalThenTheRecall()
    {
        var since = Bob.Cursor;
        var mid = (await Alice.SendAsync("bob", "never meant for bob")).Num("mid");
        await Alice.EditAsync(mid, "still not for bob");
        var recall = (await Alice.RecallAsync(mid)).Num("mid");

        async Task Check()
        {
            var feed = await Bob.FeedAsync(since);
            feed.ShouldAllBe(m => !m.GetProperty("body").GetString()!.Contains("for bob"));
            var original = feed.Single(m => m.Num("mid") == mid);
            (original.Str("body"), original.GetProperty("recalled").GetBoolean()).ShouldBe(("", true));
            feed.Single(m => m.Str("kind") == "edit").Str("body").ShouldBe("");
            feed[^1].Num("mid").ShouldBe(recall);
            feed[^1].Str("kind").ShouldBe("recall");
            var history = (await Bob.GetAsync("api/history?with=alice")).GetProperty("messages").EnumerateArray().ToArray();
            history.Select(m => m.Num("mid")).ShouldBe([mid]);
            history[0].GetProperty("recalled").GetBoolean().ShouldBeTrue();
            (await Bob.SearchAsync("meant for")).ShouldBeEmpty();
        }
        await Check(); // served from memory (the recent-messages cache) on one node
        await Server.RestartAsync();
        await Check(); // and from the store
    }

    [Fact]
    public async Task ARecallAfterItsWindowIsRefusedNamingTheWindow()
    {
        var mid = (await Alice.SendAsync("bob", "too late")).Num("mid");
        Server.Time.Advance(TimeSpan.FromSeconds(121));
        var refused = await Alice.RecallAsync(mid, HttpStatusCode.Forbidden);
        refused.Detail().ShouldContain("within 120 seconds");
        refused.Detail().ShouldContain("Chat:RecallSeconds");
        // Edits have their own, longer window.
        (await Alice.EditAsync(mid, "still in time")).Num("mid").ShouldBeGreaterThan(mid);
        Server.Time.Advance(TimeSpan.FromSeconds(900));
        (await Alice.EditAsync(mid, "too late", HttpStatusCode.Forbidden)).Detail().ShouldContain("Chat:EditSeconds");
        (await Bob.FeedAsync(Bob.Cursor)).First().Str("body").ShouldBe("still in time");
    }

    [Fact]
    public async Task OnlyTheSenderRecallsAndOnlyTextAndFiles()
    {
        var mid = (await Alice.SendAsync("bob", "mine")).Num("mid");
        (await Bob.RecallAsync(mid, HttpStatusCode.Forbidden)).Detail().ShouldContain("only its sender");
        (await Carol.RecallAsync(mid, HttpStatusCode.NotFound)).Detail().ShouldContain("'mid'");
        var receipt = (await Bob.PostAsync("api/receipts", ("ref", mid.ToString()), ("state", "read"))).Num("mid");
        (await Bob.RecallAsync(receipt, HttpStatusCode.BadRequest)).Detail().ShouldContain("only text and file");
        var jsonp = await Alice.JsonpAsync($"api/recall?mid={mid}");
        jsonp.Num("mid").ShouldBeGreaterThan(receipt);
        (await Alice.EditAsync(mid, "after the recall", HttpStatusCode.Forbidden)).Detail().ShouldContain("was recalled");
    }

    [Fact]
    public async Task ARoomRecallReachesExactlyTheOriginalsRecipients()
    {
        await Alice.PostAsync("api/rooms/lobby/join");
        await Bob.PostAsync("api/rooms/lobby/join");
        var mid = (await Alice.SendAsync("#lobby", "oops, wrong room")).Num("mid");
        await Bob.PostAsync("api/rooms/lobby/leave");  // bob got it, then left: he still gets the recall
        var carolJoin = (await Carol.PostAsync("api/rooms/lobby/join")).Num("mid"); // carol never got it: no recall for her
        var recall = (await Alice.RecallAsync(mid)).Num("mid");
        (await Bob.FeedAsync(mid)).Select(m => (m.Str("kind"), m.Num("mid"))).ShouldBe([("leave", mid + 1), ("recall", recall)]);
        (await Carol.FeedAsync(carolJoin)).ShouldBeEmpty();
        (await Alice.FeedAsync(mid)).Select(m => m.Str("kind")).ShouldBe(["leave", "join", "recall"]);
        var edit = (await Alice.EditAsync((await Alice.SendAsync("#lobby", "typo")).Num("mid"), "fixed")).Num("mid");
        (await Carol.FeedAsync(recall)).Select(m => (m.Str("kind"), m.Str("body"))).ShouldBe([("text", "fixed"), ("edit", "fixed")]);
        (await Carol.FeedAsync(recall))[^1].Num("mid").ShouldBe(edit);
    }

    [Fact]
    public async Task AnEditShowsEverywhereAsTheLatestBody()
    {
        var since = Bob.Cursor;
        var mid = (await Alice.SendAsync("bob", "see you at 5")).Num("mid");
        var edit = await Alice.EditAsync(mid, "see you at 6");
        var feed = await Bob.FeedAsync(since);
        feed.Select(m => (m.Str("kind"), m.Str("body"))).ShouldBe([("text", "see you at 6"), ("edit", "see you at 6")]);
        feed[1].Num("ref").ShouldBe(mid);
        var history = (await Bob.GetAsync("api/history?with=alice")).GetProperty("messages")[0];
        (history.Str("body"), history.Num("editedAt")).ShouldBe(("see you at 6", feed[1].Num("sentAt")));
        (await Bob.SearchAsync("at 6")).Single().Num("mid").ShouldBe(mid);
        (await Bob.SearchAsync("at 5")).ShouldBeEmpty();
        edit.Num("mid").ShouldBe(feed[1].Num("mid"));
        (await Alice.EditAsync(mid, "", HttpStatusCode.BadRequest)).Detail().ShouldContain("'body'");
    }

    [Fact]
    public virtual async Task ARecallErasesTheBodyFromTheDatabaseFile()
    {
        var secret = "the-vault-code-is-" + Guid.NewGuid().ToString("n");
        var mid = (await Alice.SendAsync("bob", secret)).Num("mid");
        await Alice.EditAsync(mid, secret + "-edited");
        StoreHolds(secret).ShouldBeTrue("the body is in the store before the recall");
        await Alice.RecallAsync(mid);
        StoreHolds(secret).ShouldBeFalse("no copy of the body is left in the database or its WAL");
    }

    private bool StoreHolds(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var path in new[] { Server.DatabasePath, Server.DatabasePath + "-wal" })
        {
            if (!File.Exists(path)) continue;
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[f.Length];
            f.ReadExactly(bytes);
            if (bytes.AsSpan().IndexOf(needle) >= 0) return true;
        }
        return false;
    }
}
