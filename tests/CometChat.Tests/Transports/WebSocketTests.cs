using System.Net;
using System.Net.WebSockets;
using System.Text;
using CometChat.Core;
using CometChat.Tests.Infrastructure;
using static CometChat.Tests.Infrastructure.FeedReader;

namespace CometChat.Tests.Transports;

/// <summary>/ws: feed frames out, commands in, replies, close codes, heartbeat frames, keep-alive.</summary>
public sealed class WebSocketTests : IAsyncLifetime
{
    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public Task InitializeAsync() => StartAsync(new() { ["Chat:Socket:MaxLineBytes"] = "1024" });

    private async Task StartAsync(Dictionary<string, string?> settings)
    {
        _server = await ChatServer.StartAsync(settings);
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatStats Stats => _server.Get<ChatStats>();

    private async Task<WebSocketReader> OpenAsync(TestUser user, string query = "") =>
        (WebSocketReader)await FeedReader.OpenAsync(user, "ws", user.Cursor, query);

    [Fact]
    public async Task FeedFramesOutCommandsIn()
    {
        await using var bob = await OpenAsync(_bob, "&client=ws1");
        Stats.OpenSockets.ShouldBe(1);
        var sent = await _alice.SendAsync("bob", "over ws");
        var got = await bob.NextMessageAsync();
        got.Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
        got.Body.ShouldBe("over ws");

        // Sent with the connection's client: answered by the reply, not echoed back by the feed.
        await bob.SendAsync("{\"op\":\"send\",\"id\":\"c1\",\"to\":\"alice\",\"body\":\"back\",\"messageId\":\"m-1\"}");
        var reply = (await bob.NextAsync().DefaultTimeout())!.Json!.Value;
        reply.GetProperty("reply").GetString().ShouldBe("c1");
        reply.GetProperty("id").GetString().ShouldBe("m-1");
        var mid = reply.GetProperty("mid").GetInt64();
        await bob.SendAsync("{\"op\":\"send\",\"id\":\"c2\",\"to\":\"alice\",\"body\":\"back\",\"messageId\":\"m-1\"}");
        var retry = (await bob.NextAsync().DefaultTimeout())!.Json!.Value;
        retry.GetProperty("mid").GetInt64().ShouldBe(mid);
        retry.GetProperty("duplicate").GetBoolean().ShouldBeTrue();

        await bob.SendAsync($"{{\"op\":\"receipt\",\"id\":\"c3\",\"ref\":{got.Mid},\"state\":\"delivered\"}}");
        (await bob.NextAsync().DefaultTimeout())!.Json!.Value.GetProperty("mid").GetInt64().ShouldBeGreaterThan(mid);
        await bob.SendAsync("{\"op\":\"ping\",\"id\":\"c4\"}");
        (await bob.NextAsync().DefaultTimeout())!.Raw.ShouldBe("{\"reply\":\"c4\",\"pong\":true}");

        var alice = await _alice.GetAsync($"api/messages?since={_alice.Cursor}");
        TestUser.Mids(alice).ShouldContain(mid);

        using var typing = await _alice.RawGetAsync("api/typing?to=bob");
        (await bob.NextAsync().DefaultTimeout())!.Kind.ShouldBe("typing");
    }

    [Theory]
    [InlineData("{not json", "bad_request")]
    [InlineData("[1,2]", "bad_request")]
    [InlineData("{\"op\":\"fly\",\"id\":\"z\"}", "bad_request")]
    [InlineData("{\"op\":\"send\",\"id\":\"z\",\"to\":\"alice\"}", "bad_request")]
    [InlineData("{\"op\":\"receipt\",\"id\":\"z\",\"ref\":99999,\"state\":\"read\"}", "not_found")]
    public async Task InvalidFramesGetAnErrorReplyAndTheSocketStaysOpen(string frame, string code)
    {
        await using var bob = await OpenAsync(_bob);
        await bob.SendAsync(frame);
        var error = (await bob.NextAsync().DefaultTimeout())!.Json!.Value.GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe(code);
        error.GetProperty("message").GetString().ShouldNotBeNullOrEmpty();
        var sent = await _alice.SendAsync("bob", "still open");
        (await bob.NextMessageAsync()).Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
    }

    [Fact]
    public async Task InvalidUtf8ClosesWith1007()
    {
        await using var bob = await OpenAsync(_bob);
        await bob.SendAsync([(byte)'{', 0xc3, 0x28, (byte)'}']);
        (await bob.NextAsync().DefaultTimeout()).ShouldBeNull();
        bob.Socket.CloseStatus.ShouldBe(WebSocketCloseStatus.InvalidPayloadData);
        bob.Socket.Abort(); // the server waits (up to its close timeout) for the client to hang up
        await _server.WaitForListenersAsync(s => s.OpenSockets == 0);
    }

    [Fact]
    public async Task OversizedFrameClosesWith1009()
    {
        await using var bob = await OpenAsync(_bob);
        await bob.SendAsync("{\"op\":\"send\",\"to\":\"alice\",\"body\":\"" + new string('x', 2000) + "\"}");
        (await bob.NextAsync().DefaultTimeout()).ShouldBeNull();
        bob.Socket.CloseStatus.ShouldBe(WebSocketCloseStatus.MessageTooBig);
        await bob.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).DefaultTimeout();
        await _server.WaitForListenersAsync(s => s.OpenSockets == 0);
    }

    [Fact]
    public async Task ClientCloseIsAnsweredAndFreesTheListener()
    {
        await using var bob = await OpenAsync(_bob);
        await bob.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).DefaultTimeout();
        bob.Socket.State.ShouldBe(WebSocketState.Closed);
        await _server.WaitForListenersAsync(s => s.OpenSockets == 0);
    }

    [Fact]
    public async Task HeartbeatFrameAfterAQuietInterval()
    {
        await using var bob = await OpenAsync(_bob);
        _server.Time.Advance(TimeSpan.FromSeconds(15));
        (await bob.NextAsync().DefaultTimeout())!.Raw.ShouldBe($"{{\"kind\":\"heartbeat\",\"cursor\":{_bob.Cursor}}}");
    }

    [Fact]
    public async Task ShutdownClosesWith1001()
    {
        await using var bob = await OpenAsync(_bob);
        var stop = _server.StopAppAsync();
        while (await bob.NextAsync().DefaultTimeout() is { } item) item.Kind.ShouldBe("heartbeat");
        bob.Socket.CloseStatus.ShouldBe(WebSocketCloseStatus.EndpointUnavailable);
        await bob.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).DefaultTimeout();
        await stop.DefaultTimeout();
    }

    [Fact]
    public async Task PlainGetAndBadParametersAreRefusedBeforeTheUpgrade()
    {
        (await _bob.GetAsync("ws", HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain("WebSocket");
        using var ws = new ClientWebSocket();
        var uri = new UriBuilder(new Uri(_server.BaseUri, $"ws?since=999&token={_bob.Token}")) { Scheme = "ws" }.Uri;
        await Should.ThrowAsync<WebSocketException>(() => ws.ConnectAsync(uri, CancellationToken.None).DefaultTimeout());
        var noToken = new ClientWebSocket();
        await Should.ThrowAsync<WebSocketException>(() => noToken.ConnectAsync(new UriBuilder(new Uri(_server.BaseUri, "ws")) { Scheme = "ws" }.Uri, CancellationToken.None).DefaultTimeout());
        Stats.OpenSockets.ShouldBe(0);
    }

    [Fact]
    public async Task ClientThatStopsAnsweringPingsIsClosed()
    {
        // The WebSocket keep-alive (ping, then pong timeout) runs on the runtime's own timer, not the injected
        // clock, so this one test waits in real time: about two one-second heartbeats.
        await _server.DisposeAsync();
        await StartAsync(new() { ["Chat:HeartbeatSeconds"] = "1" });
        await using var bob = await OpenAsync(_bob); // never reads again, so never answers a ping
        await _server.WaitForListenersAsync(s => s.OpenSockets == 0);
    }

    [Fact]
    public async Task BodyFramesCarryTheRawMessageJsonAsText()
    {
        await using var bob = await OpenAsync(_bob);
        await _alice.SendAsync("bob", "ünïcode 😀");
        var buffer = new byte[4096];
        var result = await bob.Socket.ReceiveAsync(buffer, CancellationToken.None).DefaultTimeout();
        result.MessageType.ShouldBe(WebSocketMessageType.Text);
        result.EndOfMessage.ShouldBeTrue();
        Encoding.UTF8.GetString(buffer, 0, result.Count).ShouldContain("\\u00FC");
    }
}
