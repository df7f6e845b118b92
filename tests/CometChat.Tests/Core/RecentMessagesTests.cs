using CometChat.Core;

namespace CometChat.Tests.Core;

public sealed class RecentMessagesTests
{
    private static Message M(long mid, string from = "a", string to = "b", string? client = null) =>
        new(mid, "id" + mid, from, to, MessageKinds.Text, "body" + mid, mid, Client: client);

    [Fact]
    public void CoversOnlyCursorsAtOrAboveItsFloor()
    {
        var cache = new RecentMessages(10);
        cache.Reset(100);
        cache.Add(M(101), ["a", "b"]);
        cache.TryRead("b", null, new Cursor(99), 10).ShouldBeNull();
        cache.TryRead("b", null, new Cursor(100), 10)!.Messages.Select(m => m.Mid).ShouldBe([101L]);
    }

    [Fact]
    public void EvictingTheOldestRaisesTheFloor()
    {
        var cache = new RecentMessages(3);
        cache.Reset(0);
        for (var mid = 1; mid <= 5; mid++) cache.Add(M(mid), ["b"]);
        cache.TryRead("b", null, new Cursor(1), 10).ShouldBeNull();
        cache.TryRead("b", null, new Cursor(2), 10)!.Messages.Select(m => m.Mid).ShouldBe([3L, 4L, 5L]);
    }

    [Fact]
    public void OtherUsersMessagesAreSkippedAndTheCursorMovesToTheNewest()
    {
        var cache = new RecentMessages(10);
        cache.Reset(0);
        cache.Add(M(1, to: "c"), ["a", "c"]);
        cache.Add(M(2), ["a", "b"]);
        cache.Add(M(3, to: "c"), ["a", "c"]);
        var page = cache.TryRead("b", null, new Cursor(0), 10)!;
        page.Messages.Select(m => m.Mid).ShouldBe([2L]);
        page.Cursor.Mid.ShouldBe(3);
        page.More.ShouldBeFalse();
    }

    [Fact]
    public void LimitStopsAtTheLastReturnedAndSaysMore()
    {
        var cache = new RecentMessages(10);
        cache.Reset(0);
        for (var mid = 1; mid <= 5; mid++) cache.Add(M(mid), ["b"]);
        var page = cache.TryRead("b", null, new Cursor(0), 2)!;
        page.Messages.Select(m => m.Mid).ShouldBe([1L, 2L]);
        page.Cursor.Mid.ShouldBe(2);
        page.More.ShouldBeTrue();
        var last = cache.TryRead("b", null, new Cursor(4), 2)!;
        last.Messages.Select(m => m.Mid).ShouldBe([5L]);
        last.More.ShouldBeFalse();
    }

    [Fact]
    public void TheAskingTabsOwnSendsAreSkippedButPassed()
    {
        var cache = new RecentMessages(10);
        cache.Reset(0);
        cache.Add(M(1, from: "b", to: "a", client: "tab1"), ["a", "b"]);
        var page = cache.TryRead("b", "tab1", new Cursor(0), 10)!;
        page.Messages.ShouldBeEmpty();
        page.Cursor.Mid.ShouldBe(1);
        cache.TryRead("b", "tab2", new Cursor(0), 10)!.Messages.Count.ShouldBe(1);
    }

    [Fact]
    public void LargeRecipientSetsAreMatched()
    {
        var cache = new RecentMessages(10);
        cache.Reset(0);
        var members = Enumerable.Range(0, 5000).Select(i => "u" + i).ToArray();
        cache.Add(M(1, to: "#room"), members);
        cache.TryRead("u4321", null, new Cursor(0), 10)!.Messages.Count.ShouldBe(1);
        cache.TryRead("nobody", null, new Cursor(0), 10)!.Messages.ShouldBeEmpty();
    }
}
