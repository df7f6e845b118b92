using System.Net;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Contract;

public class ReceiptAndTypingTests : IAsyncLifetime
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

    private async Task<System.Text.Json.JsonElement> PostAsync(TestUser user, string path, params (string, string)[] form)
    {
        using var res = await _server.Http.SendAsync(user.Request(HttpMethod.Post, path, ChatServer.Form(form)));
        return await ChatServer.ReadJsonAsync(res, res.IsSuccessStatusCode ? HttpStatusCode.OK : res.StatusCode);
    }

    [Fact]
    public async Task RecipientsReceiptBecomesAFeedMessageToTheSender()
    {
        var mid = (await _alice.SendAsync("bob", "did you get this?")).GetProperty("mid").GetInt64();
        var ack = await PostAsync(_bob, "api/receipts", ("ref", mid.ToString()), ("state", "read"));
        var receiptMid = ack.GetProperty("mid").GetInt64();

        var page = await _alice.GetAsync($"api/messages?since={mid}");
        var receipt = page.GetProperty("messages")[0];
        receipt.GetProperty("mid").GetInt64().ShouldBe(receiptMid);
        receipt.GetProperty("kind").GetString().ShouldBe("receipt");
        receipt.GetProperty("ref").GetInt64().ShouldBe(mid);
        receipt.GetProperty("body").GetString().ShouldBe("read");
        receipt.GetProperty("from").GetString().ShouldBe("bob");
        receipt.GetProperty("to").GetString().ShouldBe("alice");

        var again = await PostAsync(_bob, "api/receipts", ("ref", mid.ToString()), ("state", "read"));
        again.GetProperty("duplicate").GetBoolean().ShouldBeTrue();
        again.GetProperty("mid").GetInt64().ShouldBe(receiptMid);
    }

    [Fact]
    public async Task ReceiptsFromNonRecipientsOrForOwnMessagesAreRefused()
    {
        var mid = (await _alice.SendAsync("bob", "private")).GetProperty("mid").GetInt64();
        var byCarol = await PostAsync(_carol, "api/receipts", ("ref", mid.ToString()), ("state", "read"));
        byCarol.GetProperty("status").GetInt32().ShouldBe(404);
        byCarol.GetProperty("detail").GetString()!.ShouldContain("'ref'");
        var own = await PostAsync(_alice, "api/receipts", ("ref", mid.ToString()), ("state", "delivered"));
        own.GetProperty("status").GetInt32().ShouldBe(403);
        var badState = await PostAsync(_bob, "api/receipts", ("ref", mid.ToString()), ("state", "seen"));
        badState.GetProperty("detail").GetString()!.ShouldContain("'state'");
        var noRef = await PostAsync(_bob, "api/receipts", ("state", "read"));
        noRef.GetProperty("detail").GetString()!.ShouldContain("'ref'");
        TestUser.Mids(await _alice.GetAsync($"api/messages?since={mid}")).ShouldBeEmpty();
    }

    [Fact]
    public async Task ReceiptOverJsonp()
    {
        var mid = (await _alice.SendAsync("bob", "jsonp me")).GetProperty("mid").GetInt64();
        var body = await _server.Http.GetStringAsync($"api/receipt?token={_bob.Token}&ref={mid}&state=delivered&callback=cb");
        ChatServer.ParseJsonp(body, "cb").GetProperty("mid").GetInt64().ShouldBeGreaterThan(mid);
    }

    [Fact]
    public async Task TypingWakesAParkedPollInEventsWithoutMovingTheCursor()
    {
        var poll = _bob.GetAsync($"api/poll?since={_bob.Cursor}");
        await _server.WaitForListenersAsync(s => s.ParkedPolls >= 1);
        await PostAsync(_alice, "api/typing", ("to", "bob"));
        var page = await poll.DefaultTimeout();
        page.GetProperty("messages").GetArrayLength().ShouldBe(0);
        page.GetProperty("cursor").GetInt64().ShouldBe(_bob.Cursor);
        var e = page.GetProperty("events")[0];
        e.GetProperty("kind").GetString().ShouldBe("typing");
        e.GetProperty("from").GetString().ShouldBe("alice");
        e.GetProperty("to").GetString().ShouldBe("bob");
        e.TryGetProperty("mid", out _).ShouldBeFalse();

        // Never stored: nothing in the feed, the head did not move.
        TestUser.Mids(await _bob.GetAsync($"api/messages?since={_bob.Cursor}")).ShouldBeEmpty();
        (await _bob.GetAsync("api/me")).GetProperty("cursor").GetInt64().ShouldBe(_bob.Cursor);
    }

    [Fact]
    public async Task TypingReachesOnlyConnectionsOpenNow()
    {
        await PostAsync(_alice, "api/typing", ("to", "bob")); // bob has no connection open: dropped
        var page = await _bob.GetAsync($"api/poll?since={_bob.Cursor}&timeout=0");
        page.TryGetProperty("events", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task TypingValidatesTheRecipient()
    {
        (await PostAsync(_alice, "api/typing")).GetProperty("detail").GetString()!.ShouldContain("'to'");
        (await PostAsync(_alice, "api/typing", ("to", "ghost"))).GetProperty("status").GetInt32().ShouldBe(404);
        var jsonp = await _server.Http.GetStringAsync($"api/typing?token={_alice.Token}&to=bob&callback=t");
        ChatServer.ParseJsonp(jsonp, "t").GetProperty("ok").GetBoolean().ShouldBeTrue();
    }
}
