using System.Net;
using System.Text;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Hardening;

public sealed class HostileInputTests : IAsyncLifetime
{
    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync();
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task NothingStoredAsync() => TestUser.Mids(await _bob.GetAsync("api/messages?since=0")).ShouldBeEmpty();

    [Fact]
    public async Task LongGetSendIsRefusedAsTooLarge()
    {
        var body = new string('x', 2100);
        using var res = await _server.Http.GetAsync($"api/send?token={_alice.Token}&to=bob&body={body}");
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.RequestEntityTooLarge)).GetProperty("code").GetString().ShouldBe("too_large");
        var jsonp = await _server.Http.GetStringAsync($"api/send?token={_alice.Token}&to=bob&body={body}&callback=cb");
        ChatServer.ParseJsonp(jsonp, "cb").GetProperty("error").GetProperty("status").GetInt32().ShouldBe(413);
        await NothingStoredAsync();
    }

    [Fact]
    public async Task OversizedBodyIs413()
    {
        var content = new StringContent("to=bob&body=" + new string('y', 70_000), Encoding.UTF8, "application/x-www-form-urlencoded");
        using var res = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages", content));
        res.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        await NothingStoredAsync();
    }

    [Fact]
    public async Task JsonNestedThousandsDeepIs400()
    {
        var deep = "{\"to\":\"bob\",\"body\":" + new string('[', 5000) + new string(']', 5000) + "}";
        using var res = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages", new StringContent(deep, Encoding.UTF8, "application/json")));
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("bad_request");
        await NothingStoredAsync();
    }

    [Fact]
    public async Task InvalidUtf8BodyIs400()
    {
        var bytes = Encoding.ASCII.GetBytes("to=bob&body=").Concat(new byte[] { 0xC3, 0x28, 0xFF }).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var res = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages", content));
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain("UTF-8");
        await NothingStoredAsync();
    }

    [Fact]
    public async Task OversizedHeadersAreRefused()
    {
        using var req = _alice.Request(HttpMethod.Get, "api/me");
        req.Headers.Add("X-Junk", new string('z', 40_000));
        using var res = await _server.Http.SendAsync(req);
        ((int)res.StatusCode).ShouldBeInRange(400, 499);
    }

    [Theory]
    [InlineData("a\u0000b", null)]
    [InlineData("rtl \u202Eevil\u202C mark", null)]
    [InlineData("\uD800 lone high", "lone")]
    [InlineData("lone low \uDC00", "lone")]
    [InlineData("pair \uD83D\uDE00 kept", null)]
    public async Task ControlAndOddCharactersRoundTripThroughJsonAndJsonp(string body, string? lone)
    {
        using var res = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages",
            new StringContent(System.Text.Json.JsonSerializer.Serialize(new { to = "bob", body }), Encoding.UTF8, "application/json")));
        var sent = await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
        var mid = sent.GetProperty("mid").GetInt64();
        // UTF-8 cannot carry a lone surrogate: it arrives replaced (U+FFFD), and every path must then agree with the store.
        var stored = await _server.Get<CometChat.Core.IMessageStore>().GetAsync(mid, CancellationToken.None);
        var expected = lone is null ? body : stored!.Body;
        if (lone is not null) expected.ShouldNotContain("\uD800");
        if (lone is not null) expected.ShouldNotContain("\uDC00");
        stored!.Body.ShouldBe(expected);
        (await _bob.GetAsync($"api/messages?since={mid - 1}")).GetProperty("messages")[0].GetProperty("body").GetString().ShouldBe(expected);
        var raw = await _server.Http.GetStringAsync($"api/messages?since={mid - 1}&token={_bob.Token}&callback=cb");
        ChatServer.ParseJsonp(raw, "cb").GetProperty("messages")[0].GetProperty("body").GetString().ShouldBe(expected);

    }

    [Fact]
    public async Task AThousandConcurrentPollsFromOneUserKeepAtMostTheCapParked()
    {
        var cap = 6;
        var polls = Enumerable.Range(0, 1000).Select(_ => _bob.GetAsync($"api/poll?since={_bob.Cursor}")).ToList();
        var stats = _server.Get<CometChat.Core.ChatStats>();
        // Wait on the answers themselves: every poll but the last `cap` is answered (superseded).
        var pending = new HashSet<Task<System.Text.Json.JsonElement>>(polls);
        while (pending.Count > cap) pending.Remove(await Task.WhenAny(pending).DefaultTimeout());
        stats.ParkedPolls.ShouldBe(cap);
        var mid = (await _alice.SendAsync("bob", "to the survivors")).GetProperty("mid").GetInt64();
        var pages = await Task.WhenAll(polls).DefaultTimeout();
        pages.Count(p => TestUser.Mids(p).SequenceEqual([mid])).ShouldBe(cap);
        pages.Count(p => p.TryGetProperty("superseded", out _)).ShouldBe(1000 - cap);
        pages.ShouldAllBe(p => TestUser.Mids(p).Length <= 1);
    }
}
