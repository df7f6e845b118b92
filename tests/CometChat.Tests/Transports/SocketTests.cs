using System.Text;
using CometChat.Core;
using CometChat.Tests.Infrastructure;
using static CometChat.Tests.Infrastructure.FeedReader;

namespace CometChat.Tests.Transports;

/// <summary>The raw TCP socket: AUTH, JSON lines both ways, \0 framing, the Flash policy, limits.</summary>
public sealed class SocketTests : IAsyncLifetime
{
    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(new() { ["Chat:Socket:MaxLineBytes"] = "1024", ["Chat:Socket:IdleSeconds"] = "120" });
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatStats Stats => _server.Get<ChatStats>();

    private async Task<TcpReader> AuthedAsync(TestUser user, long? since = null)
    {
        var reader = await TcpReader.ConnectAsync(_server);
        await reader.WriteLineAsync($"AUTH {user.Token} {since ?? user.Cursor}");
        (await reader.ReadLineAsync()).ShouldBe($"OK {since ?? user.Cursor}");
        (await reader.NextAsync())!.Kind.ShouldBe("heartbeat");
        return reader;
    }

    [Fact]
    public async Task AuthThenJsonLinesBothWays()
    {
        _server.SocketPort.ShouldNotBe(0);
        await using var bob = await AuthedAsync(_bob);
        Stats.OpenSockets.ShouldBe(1);
        (await _alice.GetAsync("api/stats")).GetProperty("sockets").GetInt64().ShouldBe(1);
        _server.Get<Presence>().IsOnline("bob").ShouldBeTrue();

        var sent = await _alice.SendAsync("bob", "over tcp");
        var got = await bob.NextMessageAsync();
        got.Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
        got.Body.ShouldBe("over tcp");

        await bob.WriteLineAsync("{\"op\":\"send\",\"id\":\"c1\",\"to\":\"alice\",\"body\":\"back\"}");
        var items = new List<FeedItem> { (await bob.NextAsync())!, (await bob.NextAsync())! };
        var reply = items.Single(i => i.Kind == "reply").Json!.Value;
        reply.GetProperty("reply").GetString().ShouldBe("c1");
        var mid = reply.GetProperty("mid").GetInt64();
        items.Single(i => i.Kind == "message").Mid.ShouldBe(mid); // the sender's own feed has it too (no client given)

        await bob.WriteLineAsync($"{{\"op\":\"receipt\",\"id\":\"c2\",\"ref\":{got.Mid},\"state\":\"read\"}}");
        var receiptItems = new List<FeedItem> { (await bob.NextAsync())!, (await bob.NextAsync())! };
        receiptItems.Single(i => i.Kind == "reply").Json!.Value.GetProperty("mid").GetInt64().ShouldBeGreaterThan(mid);

        await bob.WriteLineAsync("{\"op\":\"typing\",\"id\":\"c3\",\"to\":\"alice\"}");
        (await bob.NextAsync())!.Raw.ShouldBe("{\"reply\":\"c3\",\"ok\":true}");
        await bob.WriteLineAsync("{\"op\":\"ping\",\"id\":\"c4\"}");
        (await bob.NextAsync())!.Raw.ShouldBe("{\"reply\":\"c4\",\"pong\":true}");
        await bob.WriteLineAsync("{\"op\":\"send\",\"id\":\"c5\",\"to\":\"nobody-here\",\"body\":\"x\"}");
        var error = (await bob.NextAsync())!.Json!.Value.GetProperty("error");
        error.GetProperty("status").GetInt32().ShouldBe(404);
        error.GetProperty("code").GetString().ShouldBe("not_found");
        await bob.WriteLineAsync("not json");
        (await bob.NextAsync())!.Json!.Value.GetProperty("error").GetProperty("code").GetString().ShouldBe("bad_request");
    }

    [Fact]
    public async Task HeartbeatLineAfterAQuietInterval()
    {
        await using var bob = await AuthedAsync(_bob);
        _server.Time.Advance(TimeSpan.FromSeconds(15));
        var beat = await bob.NextAsync();
        beat!.Raw.ShouldBe($"{{\"kind\":\"heartbeat\",\"cursor\":{_bob.Cursor}}}");
    }

    [Theory]
    [InlineData("HELLO")]
    [InlineData("AUTH")]
    [InlineData("AUTH not-a-token")]
    [InlineData("AUTH {token} 999")]
    [InlineData("AUTH {token} x")]
    public async Task BadFirstLinesAreRefusedWithoutHarmingOthers(string first)
    {
        await using var bob = await AuthedAsync(_bob);
        await using var bad = await TcpReader.ConnectAsync(_server);
        await bad.WriteLineAsync(first.Replace("{token}", _alice.Token, StringComparison.Ordinal));
        (await bad.ReadLineAsync())!.ShouldStartWith("ERR ");
        (await bad.ReadLineAsync()).ShouldBeNull(); // and closed

        var sent = await _alice.SendAsync("bob", "still here");
        (await bob.NextMessageAsync()).Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
    }

    [Fact]
    public async Task GarbageAndOverLongLinesAreRefusedWithoutHarmingOthers()
    {
        await using var bob = await AuthedAsync(_bob);

        await using var garbage = await TcpReader.ConnectAsync(_server);
        await garbage.WriteRawAsync([0xff, 0xfe, 0x00, 0x01, (byte)'\n']);
        (await garbage.ReadLineAsync())!.ShouldStartWith("ERR ");

        // Over-long before AUTH: refused as soon as the limit is passed, without waiting for a newline.
        await using var longFirst = await TcpReader.ConnectAsync(_server);
        await longFirst.WriteRawAsync(Encoding.ASCII.GetBytes(new string('A', 2000)));
        (await longFirst.ReadLineAsync())!.ShouldBe("ERR line longer than 1024 bytes");
        (await longFirst.ReadLineAsync()).ShouldBeNull();

        // Over-long after AUTH: an error frame, then the connection closes.
        await using var longLater = await AuthedAsync(_alice);
        await longLater.WriteRawAsync(Encoding.ASCII.GetBytes("{\"op\":\"send\",\"body\":\"" + new string('x', 2000)));
        var error = (await longLater.NextAsync())!.Json!.Value.GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe("too_large");
        (await longLater.ReadLineAsync()).ShouldBeNull();

        var sent = await _alice.SendAsync("bob", "still here");
        (await bob.NextMessageAsync()).Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
        await _server.WaitForListenersAsync(s => s.OpenSockets == 1);
    }

    [Fact]
    public async Task FlashPolicyRequestGetsThePolicyDocument()
    {
        await using var flash = await TcpReader.ConnectAsync(_server);
        flash.Terminator = 0;
        await flash.WriteRawAsync(Encoding.ASCII.GetBytes("<policy-file-request/>\0"));
        var policy = await flash.ReadLineAsync();
        policy.ShouldStartWith("<?xml version=\"1.0\"?>");
        policy.ShouldContain($"<allow-access-from domain=\"*\" to-ports=\"{_server.SocketPort}\"/>");
        policy.ShouldEndWith("</cross-domain-policy>\n");
        (await flash.ReadLineAsync()).ShouldBeNull(); // closed after the policy
    }

    [Fact]
    public async Task AuthEndingInNulSwitchesToNulFraming()
    {
        await using var xml = await TcpReader.ConnectAsync(_server);
        xml.Terminator = 0;
        await xml.WriteLineAsync($"AUTH {_bob.Token} {_bob.Cursor}");
        (await xml.ReadLineAsync()).ShouldBe($"OK {_bob.Cursor}");
        (await xml.NextAsync())!.Kind.ShouldBe("heartbeat");
        var sent = await _alice.SendAsync("bob", "line one\nline two");
        var got = await xml.NextMessageAsync();
        got.Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
        got.Body.ShouldBe("line one\nline two");
        await xml.WriteLineAsync("{\"op\":\"ping\",\"id\":\"x\"}");
        (await xml.NextAsync())!.Raw.ShouldBe("{\"reply\":\"x\",\"pong\":true}");
    }

    [Fact]
    public async Task SilentClientIsClosedAfterIdleSeconds()
    {
        await using var quiet = await AuthedAsync(_bob);
        await using var chatty = await AuthedAsync(_alice);
        _server.Time.Advance(TimeSpan.FromSeconds(100));
        await chatty.WriteLineAsync("{\"op\":\"ping\",\"id\":\"p\"}");
        while ((await chatty.NextAsync())!.Kind != "reply") { }
        _server.Time.Advance(TimeSpan.FromSeconds(20));
        // quiet said nothing for 120 s: closed (after any heartbeat already on its way).
        while (await quiet.NextAsync() is { } item) item.Kind.ShouldBe("heartbeat");
        await _server.WaitForListenersAsync(s => s.OpenSockets == 1);

        var sent = await _bob.SendAsync("alice", "chatty stays");
        (await chatty.NextMessageAsync()).Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
    }

    [Fact]
    public async Task ShutdownSendsAFinalFrameThenCloses()
    {
        await using var bob = await AuthedAsync(_bob);
        var stop = _server.StopAppAsync();
        var items = new List<FeedItem>();
        while (await bob.NextAsync() is { } item) items.Add(item);
        items.ShouldNotBeEmpty();
        items[^1].Raw.ShouldBe($"{{\"kind\":\"shutdown\",\"cursor\":{_bob.Cursor}}}");
        items[..^1].ShouldAllBe(i => i.Kind == "heartbeat");
        await stop.DefaultTimeout();
    }
}
