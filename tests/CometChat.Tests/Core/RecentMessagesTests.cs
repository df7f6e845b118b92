using CometChat.Core;

namespace CometChat.Tests.Core;

public sealed class RecentMessagesTests
{
    private const long Plenty = 1 << 20;

    private static Message M(long mid, string from = "a", string to = "b", string? client = null, string kind = MessageKinds.Text) =>
        new(mid, "id" + mid, from, to, kind, "body" + mid, mid, Client: client);

    private static RecentMessages Cache(long bytes = Plenty, long head = 0, params Membership[] open)
    {
        var cache = new RecentMessages(bytes, new RoomMembers());
        cache.Reset(head, open);
        return cache;
    }

    private static void Direct(RecentMessages cache, Message m, params string[] recipients) => cache.Add([new Appended(m, recipients)]);

    private static void Room(RecentMessages cache, Message m) => cache.Add([new Appended(m, null)]);

    private static long[] Mids(FeedPage? page) => [.. page!.Messages.Select(m => m.Mid)];

    [Fact]
    public void CoversOnlyCursorsAtOrAboveItsFloor()
    {
        var cache = Cache(head: 100);
        Direct(cache, M(101), "a", "b");
        cache.TryRead("b", null, new Cursor(99), 10).ShouldBeNull();
        Mids(cache.TryRead("b", null, new Cursor(100), 10)).ShouldBe([101L]);
    }

    [Fact]
    public void EvictingTheOldestBytesRaisesTheFloor()
    {
        var cache = Cache(bytes: 1);
        for (var mid = 1; mid <= 5; mid++) Direct(cache, M(mid), "b");
        cache.Bytes.ShouldBeLessThan(1000); // only the newest is kept: the budget holds fewer than one
        cache.TryRead("b", null, new Cursor(3), 10).ShouldBeNull();
        Mids(cache.TryRead("b", null, new Cursor(5), 10)).ShouldBeEmpty();
    }

    [Fact]
    public void TheBudgetIsBytesNotMessages()
    {
        var small = Cache(bytes: 4096);
        for (var mid = 1; mid <= 100; mid++) Direct(small, M(mid), "b");
        small.Bytes.ShouldBeLessThanOrEqualTo(4096);
        small.TryRead("b", null, new Cursor(80), 100).ShouldBeNull();
        Mids(small.TryRead("b", null, new Cursor(95), 100)).ShouldBe([96L, 97L, 98L, 99L, 100L]);
    }

    [Fact]
    public void OtherUsersMessagesAreSkippedAndTheCursorMovesToTheNewest()
    {
        var cache = Cache();
        Direct(cache, M(1, to: "c"), "a", "c");
        Direct(cache, M(2), "a", "b");
        Direct(cache, M(3, to: "c"), "a", "c");
        var page = cache.TryRead("b", null, new Cursor(0), 10)!;
        Mids(page).ShouldBe([2L]);
        page.Cursor.Mid.ShouldBe(3);
        page.More.ShouldBeFalse();
    }

    [Fact]
    public void LimitStopsAtTheLastReturnedAndSaysMore()
    {
        var cache = Cache();
        for (var mid = 1; mid <= 5; mid++) Direct(cache, M(mid), "b");
        var page = cache.TryRead("b", null, new Cursor(0), 2)!;
        Mids(page).ShouldBe([1L, 2L]);
        page.Cursor.Mid.ShouldBe(2);
        page.More.ShouldBeTrue();
        var last = cache.TryRead("b", null, new Cursor(4), 2)!;
        Mids(last).ShouldBe([5L]);
        last.More.ShouldBeFalse();
    }

    [Fact]
    public void TheAskingTabsOwnSendsAreSkippedButPassed()
    {
        var cache = Cache();
        Direct(cache, M(1, from: "b", to: "a", client: "tab1"), "a", "b");
        var page = cache.TryRead("b", "tab1", new Cursor(0), 10)!;
        page.Messages.ShouldBeEmpty();
        page.Cursor.Mid.ShouldBe(1);
        cache.TryRead("b", "tab2", new Cursor(0), 10)!.Messages.Count.ShouldBe(1);
    }

    [Fact]
    public void ManyOwnSendsBeforeTheLimitNeverHideWhatFollows()
    {
        var cache = Cache();
        for (var mid = 1; mid <= 6; mid++) Direct(cache, M(mid, from: "b", to: "a", client: "tab1"), "a", "b");
        Direct(cache, M(7, from: "a", to: "b"), "a", "b");
        var page = cache.TryRead("b", "tab1", new Cursor(0), 2)!;
        page.Messages.ShouldBeEmpty();
        page.More.ShouldBeTrue();
        var seen = new List<long>();
        while (page.More)
        {
            page = cache.TryRead("b", "tab1", page.Cursor, 2)!;
            seen.AddRange(Mids(page));
        }
        seen.ShouldBe([7L]);
    }

    [Fact]
    public void AMemberReadsTheRoomOnlyInsideTheirInterval()
    {
        var cache = Cache(open: new Membership("lobby", "ann", 1));
        Room(cache, M(2, from: "ann", to: "#lobby"));
        Room(cache, M(3, from: "bob", to: "#lobby", kind: MessageKinds.Join));   // bob's interval opens at 3
        Room(cache, M(4, from: "ann", to: "#lobby"));
        Room(cache, M(5, from: "bob", to: "#lobby", kind: MessageKinds.Leave));  // ... and closes at 5
        Room(cache, M(6, from: "ann", to: "#lobby"));
        Direct(cache, M(7, from: "ann", to: "bob"), "ann", "bob");
        Mids(cache.TryRead("bob", null, new Cursor(0), 10)).ShouldBe([3L, 4L, 5L, 7L]);
        Mids(cache.TryRead("ann", null, new Cursor(0), 10)).ShouldBe([2L, 3L, 4L, 5L, 6L, 7L]);
        Mids(cache.TryRead("carol", null, new Cursor(0), 10)).ShouldBeEmpty();
    }

    [Fact]
    public void RoomsAndDirectMessagesMergeInMidOrderAcrossTheLimit()
    {
        var cache = Cache(open: [new Membership("r1", "u", 1), new Membership("r2", "u", 1)]);
        for (var mid = 2; mid <= 13; mid++)
        {
            if (mid % 3 == 0) Room(cache, M(mid, from: "x", to: "#r1"));
            else if (mid % 3 == 1) Room(cache, M(mid, from: "x", to: "#r2"));
            else Direct(cache, M(mid, from: "x", to: "u"), "x", "u");
        }
        var all = new List<long>();
        var cursor = new Cursor(0);
        while (true)
        {
            var page = cache.TryRead("u", null, cursor, 3)!;
            all.AddRange(Mids(page));
            cursor = page.Cursor;
            if (!page.More) break;
        }
        all.ShouldBe(Enumerable.Range(2, 12).Select(i => (long)i));
    }

    [Fact]
    public void ManyRoomsWithBacklogsPageInMidOrderWithoutTheTabsOwnSends()
    {
        // 60 rooms, joined at different mids, one left half-way; a backlog interleaved across them, with the
        // reader's own sends from tab1 among it: paging by 7 must give exactly the oracle's mids, in order.
        var open = Enumerable.Range(0, 60).Select(r => new Membership("r" + r, "u", 1 + r * 10)).ToArray();
        var cache = Cache(open: open);
        var expected = new List<long>();
        var mid = 1000L;
        for (var round = 0; round < 20; round++)
        {
            for (var r = 0; r < 60; r++)
            {
                mid++;
                var own = (mid % 11) == 0;
                if (r == 7 && round == 10) { Room(cache, M(mid, from: "u", to: "#r7", kind: MessageKinds.Leave)); expected.Add(mid); continue; }
                if (r == 7 && round > 10) { Room(cache, M(mid, from: "x", to: "#r7")); continue; }
                Room(cache, M(mid, from: own ? "u" : "x", to: "#r" + r, client: own ? "tab1" : null));
                if (!own) expected.Add(mid);
            }
            Direct(cache, M(++mid, from: "x", to: "u"), "x", "u");
            expected.Add(mid);
        }
        var seen = new List<long>();
        var cursor = new Cursor(1000);
        while (true)
        {
            var page = cache.TryRead("u", "tab1", cursor, 7)!;
            page.Messages.Count.ShouldBeLessThanOrEqualTo(7);
            seen.AddRange(Mids(page));
            cursor = page.Cursor;
            if (!page.More) break;
        }
        seen.ShouldBe(expected);
        cursor.Mid.ShouldBe(mid);
    }

    [Fact]
    public void OneBusyRoomCostsAnOutsiderNothingToRead()
    {
        var members = Enumerable.Range(0, 5000).Select(i => new Membership("busy", "u" + i, 1)).ToArray();
        var cache = Cache(open: members);
        for (var mid = 2; mid < 2000; mid++) Room(cache, M(mid, from: "u1", to: "#busy"));
        Direct(cache, M(2000, from: "x", to: "outsider"), "x", "outsider");
        Mids(cache.TryRead("outsider", null, new Cursor(1999), 10)).ShouldBe([2000L]);
        Mids(cache.TryRead("u4321", null, new Cursor(1995), 10)).ShouldBe([1996L, 1997L, 1998L, 1999L]);
    }
}
