using System.Net;
using System.Net.Sockets;
using System.Text;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Hardening;

public sealed class LimitsTests
{
    private static Task<ChatServer> StartLimitedAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Chat:Limits:Enabled"] = "true" };
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        return ChatServer.StartAsync(settings);
    }

    [Fact]
    public async Task SendFloodIs429WithRetryAfterWhileOtherUsersStayServed()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:SendsPerSecond"] = "1", ["Chat:Limits:SendBurst"] = "5" });
        var flooder = await server.LoginAsync("flooder");
        var calm = await server.LoginAsync("calm");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20; i++)
        {
            var res = await server.Http.SendAsync(flooder.Request(HttpMethod.Post, "api/messages", ChatServer.Form(("to", "calm"), ("body", "spam" + i))));
            statuses.Add(res.StatusCode);
            if (res.StatusCode == HttpStatusCode.TooManyRequests) limited ??= res; else res.Dispose();
        }
        statuses.Count(s => s == HttpStatusCode.OK).ShouldBeLessThanOrEqualTo(7); // burst plus what refilled meanwhile
        limited.ShouldNotBeNull();
        limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThanOrEqualTo(1);
        var problem = await ChatServer.ReadJsonAsync(limited, HttpStatusCode.TooManyRequests);
        problem.GetProperty("code").GetString().ShouldBe("rate_limited");
        limited.Dispose();

        // In-band for JSONP, with the retry hint inside.
        var jsonp = await server.Http.GetStringAsync($"api/send?token={flooder.Token}&to=calm&body=x&callback=cb");
        var error = ChatServer.ParseJsonp(jsonp, "cb").GetProperty("error");
        error.GetProperty("status").GetInt32().ShouldBe(429);
        error.GetProperty("retryAfter").GetInt32().ShouldBeGreaterThanOrEqualTo(1);

        // The calm user is not affected by the flood.
        (await calm.SendAsync("flooder", "still here")).GetProperty("mid").GetInt64().ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("tcp")]
    public async Task SocketSendFloodsGetTheRetryHintLikeHttp(string transport)
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:SendsPerSecond"] = "1", ["Chat:Limits:SendBurst"] = "1" });
        var flooder = await server.LoginAsync("flooder");
        await server.LoginAsync("calm");
        await using var socket = await FeedReader.OpenAsync(flooder, transport, flooder.Cursor);
        System.Text.Json.JsonElement error = default;
        for (var i = 0; i < 5 && error.ValueKind == System.Text.Json.JsonValueKind.Undefined; i++)
        {
            var frame = $$"""{"op":"send","id":"c{{i}}","to":"calm","body":"spam"}""";
            if (socket is FeedReader.WebSocketReader ws) await ws.SendAsync(frame); else await ((FeedReader.TcpReader)socket).WriteLineAsync(frame);
            var reply = await socket.NextReplyAsync();
            if (reply.TryGetProperty("error", out var e)) error = e;
        }
        error.GetProperty("code").GetString().ShouldBe("rate_limited");
        error.GetProperty("status").GetInt32().ShouldBe(429);
        error.GetProperty("retryAfter").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task RoomCreationAndMembershipChangesAreLimitedPerUser()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:RoomsCreatedPerHour"] = "3", ["Chat:Limits:RoomChangesPerMinute"] = "8" });
        var spammer = await server.LoginAsync("spammer");
        var other = await server.LoginAsync("other");
        for (var i = 0; i < 3; i++) (await Features.FeatureCalls.PostAsync(spammer, $"api/rooms/spam{i}/join")).GetProperty("changed").GetBoolean().ShouldBeTrue();
        using (var res = await server.Http.SendAsync(spammer.Request(HttpMethod.Post, "api/rooms/spam3/join")))
        {
            res.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            res.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThanOrEqualTo(1);
            (await ChatServer.ReadJsonAsync(res, HttpStatusCode.TooManyRequests)).GetProperty("code").GetString().ShouldBe("rate_limited");
        }
        (await Features.FeatureCalls.JsonpAsync(spammer, "api/join?room=spam4")).GetProperty("error").GetProperty("status").GetInt32().ShouldBe(429);

        // Joining and leaving existing rooms: 8 changes a minute (4 were spent above), then 429 and nothing stored.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var res = await server.Http.SendAsync(spammer.Request(HttpMethod.Post, $"api/rooms/spam0/{(i % 2 == 0 ? "leave" : "join")}"));
            statuses.Add(res.StatusCode);
        }
        statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(3);
        statuses.Skip(3).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        (await spammer.GetAsync("api/messages?since=0&limit=500")).GetProperty("messages").GetArrayLength().ShouldBe(3 + 3);

        // Another user is not affected.
        (await Features.FeatureCalls.PostAsync(other, "api/rooms/spam0/join")).GetProperty("changed").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task PasswordGuessingSlowsOnlyTheGuesserWithGrowingDelays()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:LoginFreeFailures"] = "3", ["Chat:Limits:LoginMaxDelaySeconds"] = "8" });
        await server.LoginAsync("victim", "right");
        using var attacker = server.HttpFrom("127.0.0.2");
        async Task<(HttpStatusCode, int?)> GuessAsync(string password)
        {
            using var res = await attacker.PostAsync("api/login", ChatServer.Form(("name", "victim"), ("password", password)));
            return (res.StatusCode, (int?)res.Headers.RetryAfter?.Delta?.TotalSeconds);
        }

        // Three free guesses, then each wrong one doubles the wait before the next is even checked: 1, 2, 4, 8, 8 s.
        for (var i = 0; i < 3; i++) (await GuessAsync("guess" + i)).ShouldBe((HttpStatusCode.Unauthorized, null));
        foreach (var delay in new[] { 1, 2, 4, 8, 8 })
        {
            (await GuessAsync("one more")).ShouldBe((HttpStatusCode.Unauthorized, null));
            (await GuessAsync("too soon")).ShouldBe(((HttpStatusCode)429, delay));
            // Even the right password waits: the delay is not an oracle.
            (await GuessAsync("right")).Item1.ShouldBe((HttpStatusCode)429);
            server.Time.Advance(TimeSpan.FromSeconds(delay));
        }
        // A script tag on another site is the same guesser, at the same address.
        var jsonp = await attacker.GetStringAsync("api/login?name=victim&password=x&callback=cb");
        ChatServer.ParseJsonp(jsonp, "cb").GetProperty("error").GetProperty("status").GetInt32().ShouldBe(401);
        var blocked = await attacker.GetStringAsync("api/login?name=victim&password=x&callback=cb");
        ChatServer.ParseJsonp(blocked, "cb").GetProperty("error").GetProperty("retryAfter").GetInt32().ShouldBe(8);

        // Meanwhile the real user, from their own address, signs in at once: the attacker slowed only themselves.
        (await server.LoginAsync("victim", "right")).Name.ShouldBe("victim");
        // And a right password clears the guesser's count too, once the wait is over.
        server.Time.Advance(TimeSpan.FromSeconds(8));
        (await GuessAsync("right")).Item1.ShouldBe(HttpStatusCode.OK);
        (await GuessAsync("typo")).ShouldBe((HttpStatusCode.Unauthorized, null));
    }

    [Fact]
    public async Task LoginAttemptsAreLimitedPerIp()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:LoginsPerMinutePerIp"] = "4" });
        // The attempts of one address, whatever the name (a password sprayed over many names).
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var res = await server.Http.PostAsync("api/login", ChatServer.Form(("name", "n" + i), ("password", "pw")));
            codes.Add(res.StatusCode);
        }
        codes.Take(4).ShouldAllBe(c => c == HttpStatusCode.OK);
        codes.Skip(4).ShouldAllBe(c => c == HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task ConnectionsPerIpAreCappedAndFreedOnClose()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:MaxConnectionsPerIp"] = "3", ["Chat:Limits:NewConnectionsPerSecondPerIp"] = "1000" });
        server.Http.Dispose(); // only our raw sockets count
        var port = server.BaseUri.Port;
        var open = new List<TcpClient>();
        for (var i = 0; i < 3; i++) open.Add(await ConnectAndCheckAsync(port, expectServed: true));
        (await TryServedAsync(port)).ShouldBeFalse();
        open[0].Dispose();
        // The freed slot is reusable once the server has seen the close.
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (!await TryServedAsync(port))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the closed connection's slot was never freed");
            await Task.Delay(20);
        }
        foreach (var c in open) c.Dispose();
    }

    [Fact]
    public async Task NewConnectionRatePerIpIsLimited()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:NewConnectionsPerSecondPerIp"] = "2" });
        var served = 0;
        for (var i = 0; i < 20; i++)
            if (await TryServedAsync(server.BaseUri.Port)) served++;
        served.ShouldBeLessThan(20);
        served.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task RefusedConnectionsAreAnswered429WithRetryAfterAndFloodsAreDropped()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:NewConnectionsPerSecondPerIp"] = "2" });
        var port = server.BaseUri.Port;
        var answers = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var path = i % 2 == 0 ? "/healthz" : "/api/me?callback=cb";
            answers.Add(await RawAnswerAsync(port, $"GET {path} HTTP/1.1\r\nHost: x\r\nOrigin: http://shop.example\r\nConnection: close\r\n\r\n"));
        }
        // The burst is served; then refusals are answered (as long as answering stays cheap), the rest dropped.
        answers.Take(8).ShouldAllBe(a => a.StartsWith("HTTP/1.1 200", StringComparison.Ordinal));
        var limited = answers.Where(a => a.StartsWith("HTTP/1.1 429", StringComparison.Ordinal)).ToList();
        limited.ShouldNotBeEmpty();
        limited.ShouldAllBe(a => a.Contains("Retry-After: ", StringComparison.Ordinal) && a.Contains("Connection: close", StringComparison.Ordinal)
            && a.Contains("Access-Control-Allow-Origin: *", StringComparison.Ordinal) && a.Contains("\"code\":\"rate_limited\"", StringComparison.Ordinal));
        // A script tag reads it in-band: status 200, the 429 inside.
        var jsonp = answers.Where((a, i) => i % 2 == 1 && a.Contains("/**/cb(", StringComparison.Ordinal) && a.Contains("\"status\":429", StringComparison.Ordinal));
        jsonp.ShouldNotBeEmpty();
        jsonp.ShouldAllBe(a => a.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && a.Contains("\"retryAfter\":", StringComparison.Ordinal));
        answers.ShouldContain(""); // beyond the refusal budget: dropped, unanswered

    }

    [Fact]
    public async Task ARefusedTcpSocketIsToldSoInItsOwnWords()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:NewConnectionsPerSecondPerIp"] = "1" });
        // A burst of four is admitted (and waits for its AUTH line); which four is up to the accept order, so read them all.
        var sockets = new List<TcpClient?>();
        for (var i = 0; i < 6; i++)
        {
            // A socket the server aborts at once may already read as reset when the connect completes.
            try { sockets.Add(await ConnectAsync(server.SocketPort)); }
            catch (SocketException) { sockets.Add(null); }
        }
        var first = await Task.WhenAll(sockets.Select(async c =>
        {
            if (c is null) return "(dropped)";
            var buffer = new byte[256];
            try
            {
                var read = c.GetStream().ReadAsync(buffer).AsTask();
                return await Task.WhenAny(read, Task.Delay(1000)) == read ? Encoding.UTF8.GetString(buffer, 0, await read) : "(waiting for AUTH)";
            }
            catch (IOException) { return "(dropped)"; }
        }));
        first.Count(a => a == "(waiting for AUTH)").ShouldBe(4);
        first.ShouldContain(a => a.StartsWith("ERR rate_limited:", StringComparison.Ordinal) && a.Contains("retry after", StringComparison.Ordinal));
        foreach (var c in sockets) c?.Dispose();
    }

    [Fact]
    public async Task BehindATrustedProxyEachClientIsItsOwnAddress()
    {
        await using var server = await StartLimitedAsync(new()
        {
            ["Chat:Http:TrustedProxies:0"] = "127.0.0.0/8", ["Chat:Limits:LoginFreeFailures"] = "2", ["Chat:Limits:MaxConnectionsPerIp"] = "2",
        });
        await server.LoginAsync("victim", "right");
        async Task<HttpStatusCode> LoginFromAsync(string client, string password)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "api/login") { Content = ChatServer.Form(("name", "victim"), ("password", password)) };
            req.Headers.Add("X-Forwarded-For", client);
            using var res = await server.Http.SendAsync(req);
            return res.StatusCode;
        }
        for (var i = 0; i < 3; i++) await LoginFromAsync("203.0.113.9", "guess");
        (await LoginFromAsync("203.0.113.9", "guess")).ShouldBe((HttpStatusCode)429);
        // Another client behind the same proxy is not the attacker.
        (await LoginFromAsync("198.51.100.7", "right")).ShouldBe(HttpStatusCode.OK);
        // And the proxy itself is not capped per address: it carries everyone's connections.
        var open = new List<TcpClient>();
        for (var i = 0; i < 5; i++) open.Add(await ConnectAndCheckAsync(server.BaseUri.Port, expectServed: true));
        foreach (var c in open) c.Dispose();
    }

    [Fact]
    public async Task XForwardedForFromAnUntrustedAddressIsIgnored()
    {
        await using var server = await StartLimitedAsync(new() { ["Chat:Limits:LoginFreeFailures"] = "2" });
        await server.LoginAsync("victim", "right");
        async Task<HttpStatusCode> GuessAsync(string forwardedFor)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "api/login") { Content = ChatServer.Form(("name", "victim"), ("password", "guess")) };
            req.Headers.Add("X-Forwarded-For", forwardedFor);
            using var res = await server.Http.SendAsync(req);
            return res.StatusCode;
        }
        for (var i = 0; i < 3; i++) await GuessAsync("203.0.113." + i);
        (await GuessAsync("203.0.113.99")).ShouldBe((HttpStatusCode)429); // a made-up header does not make a new address
    }

    [Fact]
    public async Task AnOfficeOf300BehindOneAddressOpensThePageAt9WithTheDefaults()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Limits:Enabled"] = "true" });
        server.Http.Dispose();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task PersonAsync(int i)
        {
            // One browser: its own connections (two at a time), the page, its scripts, the sign-in, the rooms, a first poll.
            using var browser = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2 }) { BaseAddress = server.BaseUri };
            async Task GetAsync(string url, string? token = null)
            {
                using var req = new HttpRequestMessage(HttpMethod.Get, url);
                if (token is not null) req.Headers.Authorization = new("Bearer", token);
                using var res = await browser.SendAsync(req);
                if (res.StatusCode != HttpStatusCode.OK) failures.Add($"{url}: {(int)res.StatusCode}");
            }
            try
            {
                await Task.WhenAll(GetAsync(""), GetAsync("cometchat.js?v=1"), GetAsync("chat-page.js?v=1"), GetAsync("chat.css?v=1"));
                using var login = await browser.PostAsync("api/login", ChatServer.Form(("name", "worker" + i), ("password", "pw" + i)));
                if (login.StatusCode != HttpStatusCode.OK) { failures.Add("login: " + (int)login.StatusCode); return; }
                var token = (await ChatServer.ReadJsonAsync(login, HttpStatusCode.OK)).GetProperty("token").GetString()!;
                await Task.WhenAll(GetAsync("api/rooms?mine=true&limit=100", token), GetAsync("api/poll?timeout=0", token));
            }
            catch (HttpRequestException e) { failures.Add("reset: " + e.Message); }
        }
        await Task.WhenAll(Enumerable.Range(0, 300).Select(PersonAsync)).WaitAsync(TimeSpan.FromSeconds(120));
        failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task DisabledLimitsLiftEverythingAtOnce()
    {
        await using var server = await ChatServer.StartAsync(new()
        {
            ["Chat:Limits:Enabled"] = "false", ["Chat:Limits:SendsPerSecond"] = "1", ["Chat:Limits:SendBurst"] = "1",
        });
        var a = await server.LoginAsync("a");
        await server.LoginAsync("b");
        for (var i = 0; i < 30; i++) await a.SendAsync("b", "fast " + i);
    }

    /// <summary>One raw request on a fresh connection; the whole answer, or "" when the connection was dropped unanswered.</summary>
    private static async Task<string> RawAnswerAsync(int port, string request)
    {
        try
        {
            using var client = await ConnectAsync(port);
            var stream = client.GetStream();
            if (request.Length > 0) await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var answer = new StringBuilder();
            var buffer = new byte[4096];
            while (true) // until the server closes (the requests ask it to; a refusal always does)
            {
                var n = await stream.ReadAsync(buffer).AsTask().DefaultTimeout();
                if (n == 0) return answer.ToString();
                answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        catch (IOException) { return ""; }
        catch (SocketException) { return ""; }
    }

    private static async Task<TcpClient> ConnectAndCheckAsync(int port, bool expectServed)
    {
        var client = await ConnectAsync(port);
        (await IsServedAsync(client)).ShouldBe(expectServed);
        return client;
    }

    /// <summary>A fresh connection and one request: true when served; a drop, even during the connect itself, is a refusal.</summary>
    private static async Task<bool> TryServedAsync(int port)
    {
        try
        {
            using var client = await ConnectAsync(port);
            return await IsServedAsync(client);
        }
        catch (SocketException) { return false; } // reset while connecting: dropped by the limit
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).DefaultTimeout();
        return client;
    }

    /// <summary>Sends one keep-alive request; true when an HTTP answer comes back, false when the server drops us.</summary>
    private static async Task<bool> IsServedAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
            var buffer = new byte[256];
            var n = await stream.ReadAsync(buffer).AsTask().DefaultTimeout();
            return n > 0 && Encoding.ASCII.GetString(buffer, 0, n).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (SocketException) { return false; }
    }
}
