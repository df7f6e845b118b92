using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Hardening;

/// <summary>
/// Clients that misbehave below HTTP: slowloris headers, trickling bodies, too many connections, and
/// WebSocket frames that break the protocol. Kestrel enforces the first three on its own clock, so
/// these tests wait briefly in real time with short limits configured.
/// </summary>
public sealed class SlowAndRawClientTests
{
    [Fact]
    public async Task SlowlorisHeadersAreCutByTheHeadersTimeout()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Limits:RequestHeadersTimeoutSeconds"] = "1" });
        using var client = await ConnectAsync(server.BaseUri.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /api/me HTTP/1.1\r\nHost: x\r\nX-Slow: "u8.ToArray()); // and never finish the headers
        (await ReadToEndAsync(stream)).ShouldStartWith("HTTP/1.1 408");
        await StillServesOthersAsync(server);
    }

    [Fact]
    public async Task TricklingBodiesAreCutByTheMinimumDataRate()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Limits:BodyRateGraceSeconds"] = "2", ["Chat:Limits:MinBodyBytesPerSecond"] = "1000" });
        var alice = await server.LoginAsync("alice");
        using var client = await ConnectAsync(server.BaseUri.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {alice.Token}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50000\r\n\r\nto=alice&body="));
        var answer = ReadToEndAsync(stream);
        for (var i = 0; i < 80 && !answer.IsCompleted; i++)
        {
            try { await stream.WriteAsync("x"u8.ToArray()); } catch (IOException) { break; }
            await Task.Delay(100);
        }
        (await answer.DefaultTimeout()).ShouldStartWith("HTTP/1.1 408");
        TestUser.Mids(await alice.GetAsync("api/messages?since=0")).ShouldBeEmpty();
        await StillServesOthersAsync(server);
    }

    [Fact]
    public async Task TheGlobalConnectionCapRefusesTheExtraConnection()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Limits:MaxConnections"] = "3" });
        server.Http.Dispose();
        var open = new List<TcpClient>();
        for (var i = 0; i < 3; i++)
        {
            var c = await ConnectAsync(server.BaseUri.Port);
            (await GetAsync(c, "/healthz")).ShouldStartWith("HTTP/1.1 200");
            open.Add(c);
        }
        using (var extra = await ConnectAsync(server.BaseUri.Port))
        {
            var answer = await GetAsync(extra, "/healthz");
            answer.ShouldNotStartWith("HTTP/1.1 200");
        }
        foreach (var c in open) c.Dispose();
    }

    [Fact]
    public async Task AnUnmaskedClientFrameClosesTheWebSocketWithProtocolError()
    {
        await using var server = await ChatServer.StartAsync();
        var bob = await server.LoginAsync("bob");
        using var client = await ConnectAsync(server.BaseUri.Port);
        var stream = client.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /ws?token={bob.Token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var head = await ReadHeadAsync(stream);
        head.ShouldStartWith("HTTP/1.1 101");

        // A text frame without the mask bit: RFC 6455 says the server must fail the connection (1002).
        var payload = "{\"op\":\"ping\",\"id\":\"x\"}"u8.ToArray();
        await stream.WriteAsync(new byte[] { 0x81, (byte)payload.Length }.Concat(payload).ToArray());
        var closeCode = await ReadCloseCodeAsync(stream);
        closeCode.ShouldBe(1002);
        await StillServesOthersAsync(server);
    }

    private static async Task StillServesOthersAsync(ChatServer server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        (await http.GetAsync("healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port).DefaultTimeout();
        return client;
    }

    private static async Task<string> GetAsync(TcpClient client, string path)
    {
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"));
            return await ReadHeadAsync(stream);
        }
        catch (IOException) { return ""; }
        catch (SocketException) { return ""; }
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer).AsTask().DefaultTimeout()) > 0) all.Write(buffer, 0, n);
        }
        catch (IOException) { } // reset after the answer: what we read is what counts
        return Encoding.ASCII.GetString(all.ToArray());
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one).AsTask().DefaultTimeout() == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>Reads server frames until a close frame; returns its status code.</summary>
    private static async Task<int> ReadCloseCodeAsync(NetworkStream stream)
    {
        while (true)
        {
            var header = new byte[2];
            await stream.ReadExactlyAsync(header).AsTask().DefaultTimeout();
            long length = header[1] & 0x7F;
            if (length == 126) { var b = new byte[2]; await stream.ReadExactlyAsync(b); length = (b[0] << 8) | b[1]; }
            else if (length == 127) { var b = new byte[8]; await stream.ReadExactlyAsync(b); length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b); }
            var body = new byte[length];
            await stream.ReadExactlyAsync(body).AsTask().DefaultTimeout();
            if ((header[0] & 0x0F) == 0x8) return length >= 2 ? (body[0] << 8) | body[1] : 1005;
        }
    }
}
