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
