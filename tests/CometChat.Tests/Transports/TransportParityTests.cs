using System.Net.Sockets;
using System.Text;
using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Transports;

/// <summary>Every push transport delivers the same feed: resume, a 1,000-message burst, hostile bodies, slow readers.</summary>
public sealed class TransportParityTests : IAsyncLifetime
{
    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public static TheoryData<string> Transports => new(FeedReader.All);

    public Task InitializeAsync() => StartAsync(new());

    private async Task StartAsync(Dictionary<string, string?> settings)
    {
        _server = await ChatServer.StartAsync(settings);
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatStats Stats => _server.Get<ChatStats>();

    private async Task<long> SendAsync(string body) => (await _alice.SendAsync("bob", body)).GetProperty("mid").GetInt64();

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ResumeFromTheLastCursorHasNoGapAndNoDuplicate(string transport)
    {
        var mids = new List<long>();
        for (var i = 0; i < 5; i++) mids.Add(await SendAsync("m" + i));

        long last;
        await using (var first = await FeedReader.OpenAsync(_bob, transport, _bob.Cursor))
        {
            var two = await first.MessagesAsync(2);
            two.Select(m => m.Mid!.Value).ShouldBe(mids[..2]);
            last = two[^1].Mid!.Value;
        } // cut

        mids.Add(await SendAsync("while away"));
        await using var again = transport == "sse"
            ? await OpenSseWithLastEventIdAsync(last)
            : await FeedReader.OpenAsync(_bob, transport, last);
        var rest = await again.MessagesAsync(4);
        rest.Select(m => m.Mid!.Value).ShouldBe(mids[2..]);
        rest[^1].Body.ShouldBe("while away");

        // Nothing else was queued: the next message is the next one sent.
        var next = await SendAsync("next");
        (await again.NextMessageAsync()).Mid.ShouldBe(next);
    }

    /// <summary>EventSource reconnects with its original URL (here since = the old cursor) plus Last-Event-ID.</summary>
    private async Task<FeedReader> OpenSseWithLastEventIdAsync(long lastEventId)
    {
        var user = _bob with { };
        var handler = new LastEventIdHandler(lastEventId) { InnerHandler = new SocketsHttpHandler() };
        var client = new HttpClient(handler) { BaseAddress = _server.BaseUri };
        return await FeedReader.OpenAsync(user, "sse", _bob.Cursor, http: client);
    }

    private sealed class LastEventIdHandler(long id) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            request.Headers.Add("Last-Event-ID", id.ToString());
            return base.SendAsync(request, ct);
        }
    }

    [Fact]
    public async Task ABurstOfAThousandArrivesIdenticallyOnEveryTransport()
    {
        var readers = new List<(string Name, FeedReader Reader)>();
        foreach (var t in FeedReader.All) readers.Add((t, await FeedReader.OpenAsync(_bob, t, _bob.Cursor)));

        var sender = _server.Get<MessageSender>();
        var sends = Enumerable.Range(0, 1000).Select(i => sender.SendAsync("alice", new SendRequest("bob", "burst " + i)));
        var stored = (await Task.WhenAll(sends).DefaultTimeout()).Select(r => r.Message.Mid).Order().ToArray();

        var polled = new List<long>();
        var cursor = _bob.Cursor;
        while (polled.Count < 1000)
        {
            var page = await _bob.GetAsync($"api/poll?since={cursor}&limit=500").DefaultTimeout();
            polled.AddRange(TestUser.Mids(page));
            cursor = page.GetProperty("cursor").GetInt64();
        }
        polled.ShouldBe(stored);

        var reads = readers.Select(async r => (r.Name, Mids: (await r.Reader.MessagesAsync(1000)).Select(m => m.Mid!.Value).ToArray()));
        foreach (var (name, mids) in await Task.WhenAll(reads).DefaultTimeout())
            mids.ShouldBe(stored, name);
        foreach (var r in readers) await r.Reader.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task LoneSurrogatesArriveAsReplacementCharactersOnEveryTransport(string transport)
    {
        const string body = "high \uD800 and low \uDC00 alone";
        await using var reader = await FeedReader.OpenAsync(_bob, transport, _bob.Cursor);
        using var res = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages",
            new StringContent(System.Text.Json.JsonSerializer.Serialize(new { to = "bob", body }), Encoding.UTF8, "application/json")));
        var mid = (await ChatServer.ReadJsonAsync(res, System.Net.HttpStatusCode.OK)).GetProperty("mid").GetInt64();
        var got = await reader.NextMessageAsync();
        got.Mid.ShouldBe(mid);
        // UTF-8 cannot carry a lone surrogate; the server replaces it once, at send time, so every path agrees.
        got.Body.ShouldBe("high \uFFFD and low \uFFFD alone");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task HostileBodiesArriveIntactAndNeverBreakOut(string transport)
    {
        const string body = "</script><script>alert(1)</script> <!-- \u2028\u2029 😀 \"q\" \\ \u202Eevil\u202C\u200F \r\n\ndata: x\n\nid: 1 --cometchat\r\n\0";
        await using var reader = await FeedReader.OpenAsync(_bob, transport, _bob.Cursor);
        var mid = await SendAsync(body);
        var got = await reader.NextMessageAsync();
        got.Mid.ShouldBe(mid);
        if (transport == "text")
        {
            got.Body.ShouldBe("</script><script>alert(1)</script> <!-- \u2028\u2029 😀 \"q\" \\ \u202Eevil\u202C\u200F \\r\\n\\ndata: x\\n\\nid: 1 --cometchat\\r\\n\\u0000");
            return;
        }
        got.Body.ShouldBe(body);
        got.Raw.ShouldNotContain("</script><script>");
        got.Raw.ShouldNotContain("\u2028");
        // The next message still parses on its own: nothing above leaked into the framing.
        var next = await SendAsync("after");
        (await reader.NextMessageAsync()).Mid.ShouldBe(next);
    }

    [Theory]
    [InlineData("ndjson")] // the same StreamLoop serves every /api/stream format and SSE
    [InlineData("ws")]
    [InlineData("tcp")]
    public async Task SlowReaderIsCutByTheWriteTimeoutWhileOthersKeepReceiving(string transport)
    {
        await _server.DisposeAsync();
        await StartAsync(new()
        {
            ["Chat:Stream:WriteTimeoutSeconds"] = "5",
            ["Chat:HeartbeatSeconds"] = "3600",
            ["Chat:Stream:MaxSeconds"] = "86400",
            ["Chat:MaxBodyChars"] = "1000000",
            ["Chat:Limits:MaxRequestBodyBytes"] = "2000000",
            ["Chat:Socket:MaxLineBytes"] = "2000000",
        });
        var slow = await OpenStalledAsync(transport);
        // The other client is carol, whose writes stay small: a write that fits Kestrel's buffers completes at
        // once, so advancing the clock can only ever catch bob's blocked write, never one of hers in flight.
        var carol = await _server.LoginAsync("carol");
        await using var good = await FeedReader.OpenAsync(carol, "ndjson", carol.Cursor);
        await _server.WaitForListenersAsync(s => s.OpenStreams + s.OpenSockets == 2);

        // ~12 MB for bob: far more than socket buffers and Kestrel's output pipe hold, so his flush blocks.
        var big = new string('x', 1_000_000);
        var mids = new List<long>();
        for (var i = 0; i < 12; i++) mids.Add(await SendAsync(big));
        var during = (await _alice.SendAsync("carol", "while bob is stuck")).GetProperty("mid").GetInt64();
        (await good.NextMessageAsync()).Mid.ShouldBe(during);

        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (Stats.OpenStreams + Stats.OpenSockets > 1)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the slow reader was never cut");
            _server.Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(20);
        }
        slow.Dispose();
        // The operator sees it: one slow reader counted (and logged, README "What the console says"). The count is
        // taken as the transport winds down, which may be just after the connection left the open-connection gauge.
        const string counted = "cometchat_refusals_total{kind=\"slow_reader\"} 1\n";
        while (!(await _server.Http.GetStringAsync("metrics")).Contains(counted))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the slow reader was never counted in /metrics");
            await Task.Delay(20);
        }

        var after = (await _alice.SendAsync("carol", "carol still gets this")).GetProperty("mid").GetInt64();
        (await good.NextMessageAsync()).Mid.ShouldBe(after);
        // Bob lost nothing: the store kept his messages, and he resumes from his cursor.
        TestUser.Mids(await _bob.GetAsync($"api/messages?since={_bob.Cursor}&limit=500")).ShouldBe(mids);
    }

    /// <summary>A connection for bob that never reads, with a small receive buffer.</summary>
    private async Task<IDisposable> OpenStalledAsync(string transport)
    {
        if (transport == "ws")
        {
            var ws = new System.Net.WebSockets.ClientWebSocket();
            var uri = new UriBuilder(new Uri(_server.BaseUri, $"ws?since={_bob.Cursor}&token={_bob.Token}")) { Scheme = "ws" }.Uri;
            await ws.ConnectAsync(uri, CancellationToken.None).DefaultTimeout();
            return ws;
        }
        var tcp = new TcpClient { ReceiveBufferSize = 4096 };
        await tcp.ConnectAsync("127.0.0.1", transport == "tcp" ? _server.SocketPort : _server.BaseUri.Port).DefaultTimeout();
        var request = transport switch
        {
            "tcp" => $"AUTH {_bob.Token} {_bob.Cursor}\n",
            "sse" => $"GET /api/events?since={_bob.Cursor}&token={_bob.Token} HTTP/1.1\r\nHost: x\r\n\r\n",
            _ => $"GET /api/stream?since={_bob.Cursor}&token={_bob.Token} HTTP/1.1\r\nHost: x\r\n\r\n",
        };
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request)).AsTask().DefaultTimeout();
        return tcp;
    }
}
