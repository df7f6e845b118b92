using System.Net;
using System.Text;
using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Transports;

/// <summary>/api/stream in every format and /api/events (SSE): shape, headers, heartbeat, lifetime, errors.</summary>
public sealed class StreamTests : IAsyncLifetime
{
    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public static TheoryData<string> Formats => new(FeedReader.Http);

    public async Task InitializeAsync() => await StartAsync(new());

    private async Task StartAsync(Dictionary<string, string?> settings)
    {
        _server = await ChatServer.StartAsync(settings);
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatStats Stats => _server.Get<ChatStats>();

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task StreamDeliversMessagesAndTypingWithStreamingHeaders(string format)
    {
        await using var reader = await FeedReader.OpenAsync(_bob, format, _bob.Cursor);
        var res = FeedReader.ResponseOf(reader);
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        res.Headers.CacheControl!.NoStore.ShouldBeTrue();
        res.Headers.GetValues("X-Accel-Buffering").ShouldBe(["no"]);
        res.Headers.TransferEncodingChunked.ShouldBe(true);
        res.Content.Headers.ContentEncoding.ShouldBeEmpty();
        res.Content.Headers.ContentType!.ToString().ShouldBe(format switch
        {
            "ndjson" => "application/x-ndjson; charset=utf-8",
            "text" => "text/plain; charset=utf-8",
            "multipart" => "multipart/x-mixed-replace; boundary=cometchat",
            "html" => "text/html; charset=utf-8",
            _ => "text/event-stream; charset=utf-8",
        });
        Stats.OpenStreams.ShouldBe(1);
        (await _alice.GetAsync("api/stats")).GetProperty("openStreams").GetInt64().ShouldBe(1);
        _server.Get<Presence>().IsOnline("bob").ShouldBeTrue();

        var sent = await _alice.SendAsync("bob", "hello stream");
        var got = await reader.NextMessageAsync();
        got.Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
        got.Body.ShouldBe("hello stream");
        if (format != "text") got.Json!.Value.GetProperty("from").GetString().ShouldBe("alice");

        using var typing = await _alice.RawGetAsync("api/typing?to=bob");
        typing.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reader.NextAsync().DefaultTimeout())!.Kind.ShouldBe("typing");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task HeartbeatAfterAQuietInterval(string format)
    {
        await using var reader = await FeedReader.OpenAsync(_bob, format, _bob.Cursor);
        _server.Time.Advance(TimeSpan.FromSeconds(15));
        var beat = await reader.NextAsync().DefaultTimeout();
        beat!.Kind.ShouldBe("heartbeat");
        if (format is "ndjson" or "multipart") beat.Json!.Value.GetProperty("cursor").GetInt64().ShouldBe(_bob.Cursor);

        // The interval restarts with every write: the next heartbeat is another full interval away.
        _server.Time.Advance(TimeSpan.FromSeconds(15));
        (await reader.NextAsync().DefaultTimeout())!.Kind.ShouldBe("heartbeat");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task StreamEndsCleanlyAfterMaxSeconds(string format)
    {
        await using var reader = await FeedReader.OpenAsync(_bob, format, _bob.Cursor);
        var sent = await _alice.SendAsync("bob", "before the end");
        (await reader.NextMessageAsync()).Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
        _server.Time.Advance(TimeSpan.FromSeconds(300));
        var tail = await reader.ToEndAsync();
        tail.ShouldAllBe(i => i.Kind == "heartbeat");
        await _server.WaitForListenersAsync(s => s.OpenStreams == 0);
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("multipart")]
    [InlineData("sse")]
    public async Task WholeStreamHasTheDocumentedShape(string format)
    {
        await _server.DisposeAsync();
        await StartAsync(new() { ["Chat:HeartbeatSeconds"] = "3600", ["Chat:Stream:MaxSeconds"] = "60" });
        var m1 = await _alice.SendAsync("bob", "one");
        var m2 = await _alice.SendAsync("bob", "two");
        var raw = await _bob.GetAsync($"api/messages?since={_bob.Cursor}");
        var json = raw.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText()).ToArray();
        var head = m2.GetProperty("mid").GetInt64();

        var url = format == "sse" ? $"api/events?since={_bob.Cursor}" : $"api/stream?format={format}&since={_bob.Cursor}";
        using var res = await _server.Http.SendAsync(_bob.Request(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        await using var body = await res.Content.ReadAsStreamAsync();
        var text = new StringBuilder();
        var chunk = new byte[4096];
        while (!text.ToString().Contains(json[1], StringComparison.Ordinal))
            text.Append(Encoding.UTF8.GetString(chunk, 0, await body.ReadAsync(chunk).AsTask().DefaultTimeout()));
        _server.Time.Advance(TimeSpan.FromSeconds(60));
        text.Append(await new StreamReader(body).ReadToEndAsync().DefaultTimeout());

        var expected = format switch
        {
            "ndjson" => $"{{\"kind\":\"heartbeat\",\"cursor\":{_bob.Cursor}}}\n{json[0]}\n{json[1]}\n{{\"kind\":\"heartbeat\",\"cursor\":{head}}}\n",
            "multipart" => "--cometchat\r\n"
                + $"Content-Type: application/json\r\n\r\n{{\"kind\":\"heartbeat\",\"cursor\":{_bob.Cursor}}}\r\n--cometchat\r\n"
                + $"Content-Type: application/json\r\n\r\n{json[0]}\r\n--cometchat\r\n"
                + $"Content-Type: application/json\r\n\r\n{json[1]}\r\n--cometchat\r\n"
                + $"Content-Type: application/json\r\n\r\n{{\"kind\":\"heartbeat\",\"cursor\":{head}}}\r\n--cometchat--\r\n",
            _ => $"retry: 3000\nid: {_bob.Cursor}\n\n"
                + $"id: {m1.GetProperty("mid")}\nevent: message\ndata: {json[0]}\n\n"
                + $"id: {head}\nevent: message\ndata: {json[1]}\n\n"
                + ": end\n\n",
        };
        text.ToString().ShouldBe(expected);
    }

    [Fact]
    public async Task ForeverFramePadsFirstThenCallsTheCallbackPerMessage()
    {
        using var res = await _server.Http.SendAsync(
            _bob.Request(HttpMethod.Get, $"api/stream?format=html&since={_bob.Cursor}&callback=app_got"), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        await using var body = await res.Content.ReadAsStreamAsync();
        var text = new StringBuilder();
        var chunk = new byte[8192];
        while (!text.ToString().Contains("-->", StringComparison.Ordinal))
            text.Append(Encoding.UTF8.GetString(chunk, 0, await body.ReadAsync(chunk).AsTask().DefaultTimeout()));
        text.ToString().ShouldStartWith("<!DOCTYPE html>");
        text.Length.ShouldBeGreaterThanOrEqualTo(2048);
        text.ToString().ShouldNotContain("<script");
        res.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'self'");
        res.Headers.GetValues("X-Frame-Options").ShouldBe(["SAMEORIGIN"]);
        var nonce = System.Text.RegularExpressions.Regex.Match(res.Headers.GetValues("Content-Security-Policy").Single(), "'nonce-([^']+)'").Groups[1].Value;
        nonce.ShouldNotBeEmpty();

        var sent = await _alice.SendAsync("bob", "to the frame");
        while (!text.ToString().Contains("</script>", StringComparison.Ordinal))
            text.Append(Encoding.UTF8.GetString(chunk, 0, await body.ReadAsync(chunk).AsTask().DefaultTimeout()));
        var script = text.ToString()[text.ToString().IndexOf("<script", StringComparison.Ordinal)..].TrimEnd();
        script.ShouldStartWith($"<script nonce=\"{nonce}\">parent.app_got({{\"mid\":" + sent.GetProperty("mid").GetInt64());
        script.ShouldEndWith(");</script>");
    }

    [Theory]
    [InlineData("api/stream?since=x", 400, "'since'")]
    [InlineData("api/stream?since=999", 409, "'since'")]
    [InlineData("api/stream?format=xml", 400, "'format'")]
    [InlineData("api/stream?limit=0", 400, "'limit'")]
    [InlineData("api/events?since=-1", 400, "'since'")]
    [InlineData("api/events?since=999", 409, "'since'")]
    public async Task BadRequestsAreAnsweredBeforeTheStreamStarts(string url, int status, string named)
    {
        var problem = await _bob.GetAsync(url, (HttpStatusCode)status).DefaultTimeout();
        problem.GetProperty("detail").GetString()!.ShouldContain(named);
        Stats.OpenStreams.ShouldBe(0);
    }

    [Fact]
    public async Task StreamWithoutTokenIs401()
    {
        using var res = await _server.Http.GetAsync("api/stream").DefaultTimeout();
        res.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        res.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task LastEventIdOverridesSince()
    {
        var mids = new List<long>();
        for (var i = 0; i < 3; i++) mids.Add((await _alice.SendAsync("bob", "m" + i)).GetProperty("mid").GetInt64());
        var req = _bob.Request(HttpMethod.Get, $"api/events?since={_bob.Cursor}");
        req.Headers.Add("Last-Event-ID", mids[1].ToString());
        using var res = await _server.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        using var lines = new StreamReader(await res.Content.ReadAsStreamAsync());
        (await lines.ReadLineAsync().DefaultTimeout()).ShouldBe("retry: 3000");
        (await lines.ReadLineAsync().DefaultTimeout()).ShouldBe($"id: {mids[1]}");
        (await lines.ReadLineAsync().DefaultTimeout()).ShouldBe("");
        (await lines.ReadLineAsync().DefaultTimeout()).ShouldBe($"id: {mids[2]}");

        var ahead = _bob.Request(HttpMethod.Get, "api/events?since=0");
        ahead.Headers.Add("Last-Event-ID", "999");
        using var bad = await _server.Http.SendAsync(ahead).DefaultTimeout();
        bad.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ChatServer.ReadJsonAsync(bad, HttpStatusCode.Conflict)).GetProperty("detail").GetString()!.ShouldContain("'Last-Event-ID'");
    }

    [Fact]
    public async Task ForeverFrameErrorsCallTheCallbackAndBadCallbacksAreRefused()
    {
        var page = await _server.Http.GetStringAsync($"api/stream?format=html&token={_bob.Token}&since=999&callback=app_got").DefaultTimeout();
        page.ShouldContain(">parent.app_got({\"error\":{\"status\":409,\"code\":\"cursor_ahead\"");

        var missing = await _server.Http.GetStringAsync("api/stream?format=html&since=0").DefaultTimeout();
        missing.ShouldContain(">parent.cometchat.receive({\"error\":{\"status\":401");

        using var bad = await _server.Http.GetAsync($"api/stream?format=html&token={_bob.Token}&callback=alert(1)").DefaultTimeout();
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await bad.Content.ReadAsStringAsync()).ShouldNotContain("alert");
    }

    [Fact]
    public async Task ShutdownEndsOpenStreamsPromptly()
    {
        // Its own client: StopAppAsync disposes the server's HttpClient, which would cut these reads on the client side.
        using var http = new HttpClient { BaseAddress = _server.BaseUri };
        var readers = new List<FeedReader>();
        foreach (var format in FeedReader.Http) readers.Add(await FeedReader.OpenAsync(_bob, format, _bob.Cursor, http: http));
        var stop = _server.StopAppAsync();
        foreach (var r in readers)
        {
            await r.ToEndAsync();
            await r.DisposeAsync();
        }
        await stop.DefaultTimeout();
    }

    [Fact]
    public async Task OwnClientsSendsAreNotStreamedBackButOtherTabsGetThem()
    {
        await using var own = await FeedReader.OpenAsync(_alice, "ndjson", _alice.Cursor, "&client=tab1");
        await using var other = await FeedReader.OpenAsync(_alice, "ndjson", _alice.Cursor, "&client=tab2");
        var mine = (await _alice.SendAsync("bob", "from tab1", client: "tab1")).GetProperty("mid").GetInt64();
        (await other.NextMessageAsync()).Mid.ShouldBe(mine);
        var reply = (await _bob.SendAsync("alice", "reply")).GetProperty("mid").GetInt64();
        (await own.NextMessageAsync()).Mid.ShouldBe(reply);
    }
}
