using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;
using CometChat.Tests.Scaleout;

namespace CometChat.Tests.Im;

// API.md §8 again on a fresh PostgreSQL database each (Chat:Store=postgres).

public sealed class ConversationOnPostgresTests : ConversationTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class FileOnPostgresTests : FileTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class SearchOnPostgresTests : SearchTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class BlockOnPostgresTests : BlockTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;
}

public sealed class RecallEditOnPostgresTests : RecallEditTests
{
    protected override Dictionary<string, string?> Backend => TestServices.OnPostgres;

    /// <summary>On PostgreSQL: the row itself (body, its edit's body, its search entry), read with SQL.</summary>
    [Fact]
    public override async Task ARecallErasesTheBodyFromTheDatabaseFile()
    {
        var secret = "the-vault-code-is-" + Guid.NewGuid().ToString("n");
        var mid = (await Alice.SendAsync("bob", secret)).Num("mid");
        await Alice.EditAsync(mid, secret + "-edited");
        (await Scalar($"SELECT count(*) FROM messages WHERE body LIKE '%{secret}%'")).ShouldBe(2);
        (await Scalar($"SELECT count(*) FROM message_search WHERE mid = {mid}")).ShouldBe(1);
        await Alice.RecallAsync(mid);
        (await Scalar($"SELECT count(*) FROM messages WHERE body LIKE '%{secret}%'")).ShouldBe(0);
        (await Scalar($"SELECT count(*) FROM messages WHERE mid = {mid} AND body = '' AND recalled_at IS NOT NULL AND file IS NULL")).ShouldBe(1);
        (await Scalar($"SELECT count(*) FROM message_search WHERE mid = {mid}")).ShouldBe(0);
    }

    private Task<long> Scalar(string sql) => Server.StoreScalarAsync(sql);
}

/// <summary>Unread counts and recalls on three nodes sharing one PostgreSQL and one Redis.</summary>
public sealed class ImClusterTests : IAsyncLifetime
{
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TwoTabsOnDifferentNodesAndTransportsAgreeOnUnreadCounts()
    {
        var alice = await _cluster[1].LoginAsync("alice");
        var bob = await _cluster[0].LoginAsync("bob");
        var bobOnC = bob.On(_cluster[2]);
        var mids = new List<long>();
        for (var i = 0; i < 3; i++) mids.Add((await alice.SendAsync("bob", "m" + i)).Num("mid"));

        await using var ws = await FeedReader.OpenAsync(bob, "ws", mids[^1]);
        (await bob.UnreadAsync("alice")).ShouldBe((3L, 0L));
        (await bobOnC.JsonpAsync("api/conversations")).GetProperty("conversations")[0].Num("unread").ShouldBe(3);

        // The JSONP tab on node C reads two; the WebSocket tab on node A hears of it, and every node counts one unread.
        var read = await bobOnC.JsonpAsync($"api/markread?with=alice&upTo={mids[1]}");
        var marker = await ws.NextMessageAsync();
        (marker.Mid, marker.Json!.Value.Num("ref")).ShouldBe((read.Num("mid"), mids[1]));
        foreach (var node in _cluster.Nodes) (await bob.On(node).UnreadAsync("alice")).ShouldBe((1L, mids[1]));

        // A recall on node B takes the unread message back, on every node.
        var recall = (await alice.RecallAsync(mids[2])).Num("mid");
        (await ws.NextMessageAsync()).Mid.ShouldBe(recall);
        foreach (var node in _cluster.Nodes) (await bob.On(node).UnreadAsync("alice")).Unread.ShouldBe(0);
        var poll = await bobOnC.JsonpPollAsync(read.Num("mid"));
        poll.GetProperty("messages")[0].Str("kind").ShouldBe("recall");
        (await bob.On(_cluster[1]).SearchAsync("m2")).ShouldBeEmpty();
    }
}
