using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Security;

/// <summary>Issue 11 hole 10 on the store-bound paths (both stores): receipt ids apart from client ids, and strict JWTs.</summary>
public class ValidationSlipTests : IAsyncLifetime
{
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(Backend, users: ["alice", "bob"]);
        (_alice, _bob) = (_server.User("alice"), _server.User("bob"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AClientIdCannotTakeTheServersReceiptIdAndDropARealReceipt()
    {
        var sent = await _alice.SendAsync("bob", "read me");
        var mid = sent.Num("mid");
        // bob tries to pre-empt his own receipt id (or a page picks such an id by chance).
        (await _bob.PostAsync("api/messages", HttpStatusCode.BadRequest, ("to", "alice"), ("body", "x"), ("id", $"receipt:{mid}:read"))).Detail().ShouldContain("'id'");
        (await _bob.JsonpAsync($"api/send?to=alice&body=x&id=receipt:{mid}:read")).GetProperty("error").GetProperty("status").GetInt32().ShouldBe(400);
        // So are a recall's and a rating's ids (recall:MID, rating:SID): the server derives them too.
        foreach (var id in new[] { $"recall:{mid}", "rating:1" })
            (await _bob.PostAsync("api/messages", HttpStatusCode.BadRequest, ("to", "alice"), ("body", "x"), ("id", id))).Detail().ShouldContain("'id'");
        using (var ws = new ClientWebSocket())
        {
            await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{_server.BaseUri.Port}/ws?token={_bob.Token}"), CancellationToken.None).DefaultTimeout();
            var frame = Encoding.UTF8.GetBytes($$"""{"op":"send","id":"c1","to":"alice","body":"x","messageId":"receipt:{{mid}}:read"}""");
            await ws.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None).DefaultTimeout();
            var buffer = new byte[4096];
            string reply;
            do reply = Encoding.UTF8.GetString(buffer, 0, (await ws.ReceiveAsync(buffer, CancellationToken.None).DefaultTimeout()).Count);
            while (!reply.Contains("\"reply\"", StringComparison.Ordinal));
            reply.ShouldContain("\"status\":400");
        }

        // The real receipt is stored and reaches alice.
        var receipt = await _bob.PostAsync("api/receipts", ("ref", mid.ToString()), ("state", "read"));
        receipt.TryGetProperty("duplicate", out _).ShouldBeFalse();
        var got = (await _alice.FeedAsync(mid)).Single();
        (got.Str("kind"), got.Num("ref"), got.Str("id")).ShouldBe(("receipt", mid, $"receipt:{mid}:read"));
    }

    private static readonly string Header = """{"alg":"HS256","typ":"JWT"}""";
    private long Exp => _server.Time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();

    [Fact]
    public async Task JwtsAreReadAsTheRfcsSay()
    {
        await ExpectAsync(ChatServer.MintRaw(Header, $$"""{"sub":"alice","exp":{{Exp}}}"""), HttpStatusCode.OK, null);
        await ExpectAsync(ChatServer.MintRaw(Header, $$"""{"sub":"alice","exp":"{{Exp}}"}"""), HttpStatusCode.Unauthorized, "'exp'");
        await ExpectAsync(ChatServer.MintRaw(Header, $$"""{"sub":"alice","exp":{{Exp}},"nbf":"0"}"""), HttpStatusCode.Unauthorized, "'nbf'");
        await ExpectAsync(ChatServer.MintRaw("""{"alg":"HS256","typ":"JWT","crit":["x-bank"],"x-bank":1}""", $$"""{"sub":"alice","exp":{{Exp}}}"""), HttpStatusCode.Unauthorized, "'crit'");
        await ExpectAsync(ChatServer.MintRaw(Header, $$"""{"sub":12345,"exp":{{Exp}}}"""), HttpStatusCode.Unauthorized, "'sub'");
        await ExpectAsync(ChatServer.MintRaw(Header, $$"""{"exp":{{Exp}}}"""), HttpStatusCode.Unauthorized, "'sub'");
        await ExpectAsync(ChatServer.MintRaw("""{"alg":"none","typ":"JWT"}""", $$"""{"sub":"alice","exp":{{Exp}}}"""), HttpStatusCode.Unauthorized, "'token'");
    }

    private async Task ExpectAsync(string token, HttpStatusCode status, string? named)
    {
        using var res = await _server.Http.GetAsync("api/me?token=" + token);
        var json = await ChatServer.ReadJsonAsync(res, status);
        if (named is not null) json.Detail().ShouldContain(named);
    }
}

/// <summary>Issue 11 hole 10 on connections and clocks: silent connections are cut within seconds; presence runs on a monotonic clock.</summary>
public sealed class SilenceAndClockTests
{
    [Fact]
    public async Task ATcpClientThatNeverSendsAuthIsClosedWithinSeconds()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Socket:AuthSeconds"] = "10", ["Chat:Socket:IdleSeconds"] = "120" });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.SocketPort).DefaultTimeout();
        var stream = client.GetStream();
        await stream.WriteAsync("AU"u8.ToArray()); // starts a line, never ends it
        // Step the fake clock a second at a time (the handler starts its timer when it accepts the connection).
        var read = stream.ReadAsync(new byte[64]).AsTask();
        for (var fake = 1; fake <= 12 && !read.IsCompleted; fake++)
        {
            server.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(read, Task.Delay(100));
        }
        read.IsCompleted.ShouldBeTrue("still open 12 s after connecting without AUTH");
        (await read).ShouldBe(0); // closed, no answer
    }

    [Fact]
    public async Task AnHttpConnectionThatSendsNothingIsClosedWithinSeconds()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Limits:KeepAliveSeconds"] = "1" });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.BaseUri.Port).DefaultTimeout();
        // Kestrel times connections on its own wall-clock heartbeat: a bounded wait for the close, in real time.
        (await client.GetStream().ReadAsync(new byte[16]).AsTask().DefaultTimeout()).ShouldBe(0);
    }

    [Fact]
    public async Task AnAgentWhoLeftStaysOfflineWhenTheWallClockIsSetBack()
    {
        var fake = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var clock = new SteppingClock(fake);
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Support:Agents:0"] = "ann" }, time: clock);
        var ann = await server.MintedUserAsync("ann");
        var alice = await server.LoginAsync("alice");
        await ann.GetAsync("api/messages"); // seen: online for the 10 s grace period
        fake.Advance(TimeSpan.FromSeconds(11));
        (await alice.GetAsync("api/presence?users=ann")).GetProperty("ann").GetProperty("online").GetBoolean().ShouldBeFalse();

        clock.WallOffset = TimeSpan.FromHours(-1); // NTP steps the clock back an hour
        (await alice.GetAsync("api/presence?users=ann")).GetProperty("ann").GetProperty("online").GetBoolean().ShouldBeFalse();
        var kim = await server.LoginAsync("kim");
        await kim.SendAsync("@support", "anyone?");
        // Not handed to ann, who left: the desk says no agent is online (the session waits in the queue).
        (await kim.FeedAsync(kim.Cursor)).First().Str("body").ShouldBe("offline: no agent is online");
    }
}
