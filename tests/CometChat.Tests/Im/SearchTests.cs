using System.Net;
using CometChat.Tests.Features;

namespace CometChat.Tests.Im;

/// <summary>Search (API.md §8): any script, only what the caller may read, never a recalled message.</summary>
public class SearchTests : ImServerTests
{
    private static long[] Mids(IEnumerable<System.Text.Json.JsonElement> ms) => [.. ms.Select(m => m.Num("mid"))];

    [Fact]
    public async Task ChineseJapaneseAndAnyCaseAreFound()
    {
        var zh = (await Alice.SendAsync("bob", "我想退货")).Num("mid");
        var ja = (await Bob.SendAsync("alice", "注文をキャンセルしたいです")).Num("mid");
        var en = (await Alice.SendAsync("bob", "Where is my REFUND?")).Num("mid");
        await Alice.SendAsync("bob", "我想换货"); // another word around the same characters

        Mids(await Bob.SearchAsync("退货")).ShouldBe([zh]);
        Mids(await Alice.SearchAsync("退货")).ShouldBe([zh]);
        Mids(await Alice.SearchAsync("キャンセル")).ShouldBe([ja]);
        Mids(await Bob.SearchAsync("refund")).ShouldBe([en]);
        Mids(await Bob.SearchAsync("my re")).ShouldBe([en]);
        Mids(await Bob.SearchAsync("我想")).Length.ShouldBe(2);
        (await Carol.SearchAsync("退货")).ShouldBeEmpty(); // not carol's to read

        var jsonp = await Bob.JsonpAsync("api/search?q=" + Uri.EscapeDataString("退货"));
        Mids(jsonp.GetProperty("messages").EnumerateArray()).ShouldBe([zh]);
    }

    [Fact]
    public async Task RoomsTheCallerLeftOrNeverJoinedAreNotSearched()
    {
        await Alice.PostAsync("api/rooms/lobby/join");
        var before = (await Alice.SendAsync("#lobby", "order 1001 before bob")).Num("mid");
        await Bob.PostAsync("api/rooms/lobby/join");
        var during = (await Alice.SendAsync("#lobby", "order 1002 while bob is in")).Num("mid");
        await Bob.PostAsync("api/rooms/lobby/leave");
        await Alice.SendAsync("#lobby", "order 1003 after bob left");
        await Carol.PostAsync("api/rooms/other/join");
        await Carol.SendAsync("#other", "order 1004 elsewhere");

        Mids(await Bob.SearchAsync("order 100")).ShouldBe([during]);
        Mids(await Alice.SearchAsync("order 100")).Length.ShouldBe(3);
        Mids(await Alice.SearchAsync("order 1001")).ShouldBe([before]);
        (await Alice.SearchAsync("order 1004")).ShouldBeEmpty();
    }

    [Fact]
    public async Task ARecalledMessageIsNotFoundAndAnEditedOneByItsLatestBody()
    {
        var recalled = (await Alice.SendAsync("bob", "the password is swordfish")).Num("mid");
        var edited = (await Alice.SendAsync("bob", "meet at the station")).Num("mid");
        await Alice.RecallAsync(recalled);
        await Alice.EditAsync(edited, "meet at the harbour");
        (await Bob.SearchAsync("swordfish")).ShouldBeEmpty();
        (await Bob.SearchAsync("station")).ShouldBeEmpty();
        Mids(await Bob.SearchAsync("harbour")).ShouldBe([edited]);
    }

    [Fact]
    public async Task PagesNarrowingAndBadQueries()
    {
        var mids = new List<long>();
        for (var i = 0; i < 5; i++) mids.Add((await Alice.SendAsync("bob", "ticket " + i)).Num("mid"));
        var other = (await Carol.SendAsync("bob", "ticket from carol")).Num("mid");

        var first = await Bob.GetAsync("api/search?q=ticket&limit=4");
        Mids(first.GetProperty("messages").EnumerateArray()).ShouldBe([other, mids[4], mids[3], mids[2]]);
        first.GetProperty("more").GetBoolean().ShouldBeTrue();
        var rest = await Bob.GetAsync($"api/search?q=ticket&limit=4&before={first.Num("before")}");
        Mids(rest.GetProperty("messages").EnumerateArray()).ShouldBe([mids[1], mids[0]]);
        rest.GetProperty("more").GetBoolean().ShouldBeFalse();

        Mids((await Bob.GetAsync("api/search?q=ticket&with=carol")).GetProperty("messages").EnumerateArray()).ShouldBe([other]);
        (await Bob.GetAsync("api/search?q=t", HttpStatusCode.BadRequest)).Detail().ShouldContain("'q'");
        (await Bob.GetAsync("api/search", HttpStatusCode.BadRequest)).Detail().ShouldContain("'q'");
        (await Bob.GetAsync("api/search?q=" + new string('x', 101), HttpStatusCode.BadRequest)).Detail().ShouldContain("'q'");
        (await Bob.GetAsync("api/search?q=ticket&with=%23nowhere", HttpStatusCode.NotFound)).Detail().ShouldContain("'with'");
    }
}
