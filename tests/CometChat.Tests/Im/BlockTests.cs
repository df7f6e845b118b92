using System.Net;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Im;

/// <summary>Blocks (API.md §8): direct messages, typing and receipts refused with the contract's words; rooms and support unaffected.</summary>
public class BlockTests : IAsyncLifetime
{
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!, _ann = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(Backend.With(new() { ["Chat:Support:Agents:0"] = "ann" }));
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
        _ann = await _server.MintedUserAsync("ann"); // an agent: reserved, signed in by a minted token
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private const string Refusal = "'to': bob does not accept messages from you.";

    [Fact]
    public async Task ABlockedUsersDirectMessagesTypingAndReceiptsAreRefused()
    {
        var bobs = (await _bob.SendAsync("alice", "hello alice")).Num("mid");
        var block = await _bob.PostAsync("api/blocks/alice");
        (block.Str("user"), block.GetProperty("blocked").GetBoolean(), block.GetProperty("changed").GetBoolean()).ShouldBe(("alice", true, true));
        (await _bob.PostAsync("api/blocks/alice")).GetProperty("changed").GetBoolean().ShouldBeFalse();

        (await _alice.PostAsync("api/messages", HttpStatusCode.Forbidden, ("to", "bob"), ("body", "hi"))).Detail().ShouldBe(Refusal);
        (await _alice.PostAsync("api/typing", HttpStatusCode.Forbidden, ("to", "bob"))).Detail().ShouldBe(Refusal);
        (await _alice.PostAsync("api/receipts", HttpStatusCode.Forbidden, ("ref", bobs.ToString()), ("state", "read"))).Detail().ShouldBe(Refusal);
        var jsonp = await _alice.JsonpAsync("api/send?to=bob&body=hi");
        (jsonp.GetProperty("error").Num("status"), jsonp.GetProperty("error").Str("message")).ShouldBe((403L, Refusal));

        // The blocker still writes; rooms and the support desk are unaffected.
        await _bob.SendAsync("alice", "I can still write");
        await _bob.PostAsync("api/rooms/lobby/join");
        await _alice.PostAsync("api/rooms/lobby/join");
        await _alice.SendAsync("#lobby", "rooms are fine");
        await _alice.PostAsync("api/typing", ("to", "#lobby"));
        (await _bob.GetAsync("api/blocks")).GetProperty("blocks").EnumerateArray().Select(b => b.GetString()).ShouldBe(["alice"]);

        var unblock = await _bob.JsonpAsync("api/unblock?user=alice");
        (unblock.GetProperty("blocked").GetBoolean(), unblock.GetProperty("changed").GetBoolean()).ShouldBe((false, true));
        await _alice.SendAsync("bob", "thanks");
        (await _bob.GetAsync("api/blocks")).GetProperty("blocks").GetArrayLength().ShouldBe(0);
        (await _bob.JsonpAsync("api/block?user=alice")).GetProperty("blocked").GetBoolean().ShouldBeTrue();
        using var delete = await _server.Http.SendAsync(_bob.Request(HttpMethod.Delete, "api/blocks/alice"));
        (await ChatServer.ReadJsonAsync(delete, HttpStatusCode.OK)).GetProperty("changed").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task SupportIsUnaffectedAndBadTargetsAreNamed()
    {
        await _ann.GetAsync("api/messages"); // the agent is seen online
        await _ann.PostAsync("api/blocks/alice");
        var opened = await _alice.SendAsync("@support", "help");
        await _ann.SendWithSidAsync("alice", "here", opened.Num("sid"));
        (await _bob.PostAsync("api/blocks/bob", HttpStatusCode.BadRequest)).Detail().ShouldContain("'user'");
        (await _bob.PostAsync("api/blocks/nobody", HttpStatusCode.NotFound)).Detail().ShouldContain("'user'");
    }
}
