using System.Net;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Im;

/// <summary>Search (API.md §8): any script, only what the caller may read, never a recalled message.</summary>
public class SearchTests : IAsyncLifetime
{
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!, _carol = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(Backend);
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
        _carol = await _server.LoginAsync("carol");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static long[] Mids(IEnumerable<System.Text.Json.JsonElement> ms) => [.. ms.Select(m => m.Num("mid"))];

    [Fact]
    public async Task ChineseJapaneseAndAnyCaseAreFound()
    {
        var zh = (await _alice.SendAsync("bob", "我想退货")).Num("mid");
        var ja = (await _bob.SendAsync("alice", "注文をキャンセルしたいです")).Num("mid");
        var en = (await _alice.SendAsync("bob", "Where is my REFUND?")).Num("mid");
        await _alice.SendAsync("bob", "我想换货"); // another word around the same characters

        Mids(await _bob.SearchAsync("退货")).ShouldBe([zh]);
        Mids(await _alice.SearchAsync("退货")).ShouldBe([zh]);
        Mids(await _alice.SearchAsync("キャンセル")).ShouldBe([ja]);
        Mids(await _bob.SearchAsync("refund")).ShouldBe([en]);
        Mids(await _bob.SearchAsync("my re")).ShouldBe([en]);
        Mids(await _bob.SearchAsync("我想")).Length.ShouldBe(2);
        (await _carol.SearchAsync("退货")).ShouldBeEmpty(); // not carol's to read

        var jsonp = await _bob.JsonpAsync("api/search?q=" + Uri.EscapeDataString("退货"));
        Mids(jsonp.GetProperty("messages").EnumerateArray()).ShouldBe([zh]);
    }

    [Fact]
    public async Task RoomsTheCallerLeftOrNeverJoinedAreNotSearched()
    {
        await _alice.PostAsync("api/rooms/lobby/join");
        var before = (await _alice.SendAsync("#lobby", "order 1001 before bob")).Num("mid");
        await _bob.PostAsync("api/rooms/lobby/join");
        var during = (await _alice.SendAsync("#lobby", "order 1002 while bob is in")).Num("mid");
        await _bob.PostAsync("api/rooms/lobby/leave");
        await _alice.SendAsync("#lobby", "order 1003 after bob left");
        await _carol.PostAsync("api/rooms/other/join");
        await _carol.SendAsync("#other", "order 1004 elsewhere");

        Mids(await _bob.SearchAsync("order 100")).ShouldBe([during]);
        Mids(await _alice.SearchAsync("order 100")).Length.ShouldBe(3);
        Mids(await _alice.SearchAsync("order 1001")).ShouldBe([before]);
        (await _alice.SearchAsync("order 1004")).ShouldBeEmpty();
    }

    [Fact]
    public async Task ARecalledMessageIsNotFoundAndAnEditedOneByItsLatestBody()
    {
        var recalled = (await _alice.SendAsync("bob", "the password is swordfish")).Num("mid");
        var edited = (await _alice.SendAsync("bob", "meet at the station")).Num("mid");
        await _alice.RecallAsync(recalled);
        await _alice.EditAsync(edited, "meet at the harbour");
        (await _bob.SearchAsync("swordfish")).ShouldBeEmpty();
        (await _bob.SearchAsync("station")).ShouldBeEmpty();
        Mids(await _bob.SearchAsync("harbour")).ShouldBe([edited]);
    }

    [Fact]
    public async Task PagesNarrowingAndBadQueries()
    {
        var mids = new List<long>();
        for (var i = 0; i < 5; i++) mids.Add((await _alice.SendAsync("bob", "ticket " + i)).Num("mid"));
        var other = (await _carol.SendAsync("bob", "ticket from carol")).Num("mid");

        var first = await _bob.GetAsync("api/search?q=ticket&limit=4");
        Mids(first.GetProperty("messages").EnumerateArray()).ShouldBe([other, mids[4], mids[3], mids[2]]);
        first.GetProperty("more").GetBoolean().ShouldBeTrue();
        var rest = await _bob.GetAsync($"api/search?q=ticket&limit=4&before={first.Num("before")}");
        Mids(rest.GetProperty("messages").EnumerateArray()).ShouldBe([mids[1], mids[0]]);
        rest.GetProperty("more").GetBoolean().ShouldBeFalse();

        Mids((await _bob.GetAsync("api/search?q=ticket&with=carol")).GetProperty("messages").EnumerateArray()).ShouldBe([other]);
        (await _bob.GetAsync("api/search?q=t", HttpStatusCode.BadRequest)).Detail().ShouldContain("'q'");
        (await _bob.GetAsync("api/search", HttpStatusCode.BadRequest)).Detail().ShouldContain("'q'");
        (await _bob.GetAsync("api/search?q=" + new string('x', 101), HttpStatusCode.BadRequest)).Detail().ShouldContain("'q'");
        (await _bob.GetAsync("api/search?q=ticket&with=%23nowhere", HttpStatusCode.NotFound)).Detail().ShouldContain("'with'");
    }
}
