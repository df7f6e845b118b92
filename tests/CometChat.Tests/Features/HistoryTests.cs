using System.Net;
using System.Text.Json;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Features;

public class HistoryTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
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

    private async Task<long[]> FiveMessagesAsync()
    {
        var mids = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            var from = i % 2 == 1 ? _alice : _bob;
            mids.Add((await from.SendAsync(from == _alice ? "bob" : "alice", $"m{i}")).Num("mid"));
            await _carol.SendAsync("alice", "another conversation");
        }
        return [.. mids];
    }

    private static long[] Mids(JsonElement page) => TestUser.Mids(page);

    [Fact]
    public async Task APageCarriesTheStoresReceiptsOfTheCallersOwnMessages()
    {
        // A client that starts from history (a reload) shows the real marks: read over delivered, none when none.
        var one = (await _alice.SendAsync("bob", "one")).Num("mid");
        var two = (await _alice.SendAsync("bob", "two")).Num("mid");
        var three = (await _alice.SendAsync("bob", "three")).Num("mid");
        var reply = (await _bob.SendAsync("alice", "reply")).Num("mid");
        await _bob.PostAsync("api/receipts", ("ref", one.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("state", "delivered"));
        await _bob.PostAsync("api/receipts", ("ref", one.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("state", "read"));
        await _bob.PostAsync("api/receipts", ("ref", two.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("state", "delivered"));
        await _alice.PostAsync("api/receipts", ("ref", reply.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("state", "read"));

        var page = await _alice.GetAsync("api/history?with=bob");
        Mids(page).ShouldBe([one, two, three, reply]);
        var receipts = page.GetProperty("receipts");
        receipts.EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ShouldBe([($"{one}", "read"), ($"{two}", "delivered")]);
        (await _bob.GetAsync("api/history?with=alice")).GetProperty("receipts").EnumerateObject().Select(p => (p.Name, p.Value.GetString()))
            .ShouldBe([($"{reply}", "read")]);
        (await _carol.GetAsync("api/history?with=alice")).TryGetProperty("receipts", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task PagesGoNewestFirstEachAscendingUntilMoreIsFalse()
    {
        var m = await FiveMessagesAsync();

        var newest = await _alice.GetAsync("api/history?with=bob&limit=2"); // no 'before': from the newest
        Mids(newest).ShouldBe([m[3], m[4]]);
        newest.GetProperty("more").GetBoolean().ShouldBeTrue();
        newest.Num("before").ShouldBe(m[3]);

        var middle = await _bob.GetAsync($"api/history?with=alice&limit=2&before={newest.Num("before")}");
        Mids(middle).ShouldBe([m[1], m[2]]);
        middle.GetProperty("more").GetBoolean().ShouldBeTrue();

        var oldest = await _alice.GetAsync($"api/history?with=bob&limit=2&before={middle.Num("before")}");
        Mids(oldest).ShouldBe([m[0]]);
        oldest.GetProperty("more").GetBoolean().ShouldBeFalse();
        oldest.TryGetProperty("before", out _).ShouldBeFalse();
        oldest.GetProperty("messages")[0].Str("body").ShouldBe("m1");

        // Exact page sizes: a page that holds everything has no more; one short of it does.
        var all = await _alice.GetAsync("api/history?with=bob&limit=5");
        Mids(all).ShouldBe(m);
        all.GetProperty("more").GetBoolean().ShouldBeFalse();
        (await _alice.GetAsync("api/history?with=bob&limit=4")).GetProperty("more").GetBoolean().ShouldBeTrue();
        var beforeFirst = await _alice.GetAsync($"api/history?with=bob&before={m[0]}");
        Mids(beforeFirst).ShouldBeEmpty();
        beforeFirst.GetProperty("more").GetBoolean().ShouldBeFalse();

        var jsonp = await _bob.JsonpAsync($"api/history?with=alice&limit=3&before={m[4]}");
        Mids(jsonp).ShouldBe([m[1], m[2], m[3]]);
        jsonp.GetProperty("more").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task HistoryHoldsNeitherReceiptsNorTyping()
    {
        var mid = (await _alice.SendAsync("bob", "hello")).Num("mid");
        await _bob.PostAsync("api/receipts", ("ref", mid.ToString()), ("state", "read"));
        await _alice.PostAsync("api/typing", ("to", "bob"));
        var reply = (await _bob.SendAsync("alice", "hi")).Num("mid");
        Mids(await _alice.GetAsync("api/history?with=bob")).ShouldBe([mid, reply]);
    }

    [Fact]
    public async Task RoomHistoryIsForMembersOnly()
    {
        await _alice.PostAsync("api/rooms/lobby/join");
        var said = (await _alice.SendAsync("#lobby", "members only")).Num("mid");

        (await _carol.GetAsync("api/history?with=%23lobby", HttpStatusCode.Forbidden)).Detail().ShouldContain("'with'");
        (await _carol.JsonpAsync("api/history?with=%23lobby")).GetProperty("error").Num("status").ShouldBe(403);
        await _carol.PostAsync("api/rooms/lobby/join");
        var page = await _carol.GetAsync("api/history?with=%23lobby");
        page.GetProperty("messages").EnumerateArray().Select(m => m.Str("kind")).ShouldBe(["join", "text", "join"]);
        Mids(page)[1].ShouldBe(said);
        await _carol.PostAsync("api/rooms/lobby/leave");
        await _carol.GetAsync("api/history?with=%23lobby", HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("", 400, "'with'")]
    [InlineData("with=ghost", 404, "'with'")]
    [InlineData("with=bad%20name", 400, "'with'")]
    [InlineData("with=%23nowhere", 404, "'with'")]
    [InlineData("with=@helpdesk", 404, "'with'")]
    [InlineData("with=bob&limit=0", 400, "'limit'")]
    [InlineData("with=bob&limit=501", 400, "'limit'")]
    [InlineData("with=bob&before=x", 400, "'before'")]
    [InlineData("with=@support&sid=99", 404, "'sid'")]
    public async Task BadHistoryRequestsNameTheParameter(string query, int status, string named)
    {
        var problem = await _alice.GetAsync("api/history?" + query, (HttpStatusCode)status);
        problem.Detail().ShouldContain(named);
    }
}
