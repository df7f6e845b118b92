using System.Net;
using System.Text;
using System.Text.Json;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Contract;

public class MessageContractTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Chat:MaxBodyChars"] = "50" }.With(Backend));
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SendAnswersMidIdAndSentAtAndTheRecipientSeesIt()
    {
        var sent = await _alice.SendAsync("bob", "hello", id: "c-1");
        sent.GetProperty("mid").GetInt64().ShouldBeGreaterThan(0);
        sent.GetProperty("id").GetString().ShouldBe("c-1");
        sent.GetProperty("sentAt").GetInt64().ShouldBe(_server.Time.GetUtcNow().ToUnixTimeMilliseconds());
        sent.TryGetProperty("duplicate", out _).ShouldBeFalse();

        var page = await _bob.GetAsync($"api/messages?since={_bob.Cursor}");
        var m = page.GetProperty("messages")[0];
        m.GetProperty("from").GetString().ShouldBe("alice");
        m.GetProperty("to").GetString().ShouldBe("bob");
        m.GetProperty("kind").GetString().ShouldBe("text");
        m.GetProperty("body").GetString().ShouldBe("hello");
        m.TryGetProperty("client", out _).ShouldBeFalse();
        page.GetProperty("cursor").GetInt64().ShouldBe(sent.GetProperty("mid").GetInt64());
        page.GetProperty("more").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task SendWithoutIdGeneratesOne()
    {
        var sent = await _alice.SendAsync("bob", "x");
        Guid.TryParse(sent.GetProperty("id").GetString(), out _).ShouldBeTrue();
    }

    [Fact]
    public async Task RetriedIdStoresNothingAndAnswersTheOriginalMid()
    {
        var first = await _alice.SendAsync("bob", "once", id: "retry-me");
        var again = await _alice.SendAsync("bob", "once", id: "retry-me");
        again.GetProperty("mid").GetInt64().ShouldBe(first.GetProperty("mid").GetInt64());
        again.GetProperty("duplicate").GetBoolean().ShouldBeTrue();
        // The same id from another sender is a different message.
        (await _bob.SendAsync("alice", "mine", id: "retry-me")).GetProperty("mid").GetInt64().ShouldBeGreaterThan(first.GetProperty("mid").GetInt64());
        TestUser.Mids(await _bob.GetAsync("api/messages?since=0")).Length.ShouldBe(2);
    }

    [Theory]
    [InlineData("body=hi", 400, "'to'")]
    [InlineData("to=bob", 400, "'body'")]
    [InlineData("to=nobody&body=hi", 404, "'to'")]
    [InlineData("to=bad%20name&body=hi", 400, "'to'")]
    [InlineData("to=bob&body=012345678901234567890123456789012345678901234567890", 413, "'body'")]
    [InlineData("to=bob&body=hi&id=01234567890123456789012345678901234567890123456789012345678901234", 400, "'id'")]
    [InlineData("to=bob&body=hi&client=01234567890123456789012345678901234567890123456789012345678901234", 400, "'client'")]
    public async Task BadSendsAreRejectedNamingTheParameterAndStoreNothing(string form, int status, string named)
    {
        using var res = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages",
            new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded")));
        var problem = await ChatServer.ReadJsonAsync(res, (HttpStatusCode)status);
        problem.GetProperty("detail").GetString()!.ShouldContain(named);
        problem.GetProperty("status").GetInt32().ShouldBe(status);
        TestUser.Mids(await _bob.GetAsync("api/messages?since=0")).ShouldBeEmpty();
    }

    [Fact]
    public async Task SendAcceptsJsonTextPlainAndJsonpGet()
    {
        using var json = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages",
            new StringContent("{\"to\":\"bob\",\"body\":\"j\"}", Encoding.UTF8, "application/json")));
        json.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var xdr = await _server.Http.PostAsync("api/messages",
            new StringContent($"token={_alice.Token}&to=bob&body=x", Encoding.UTF8, "text/plain"));
        xdr.StatusCode.ShouldBe(HttpStatusCode.OK);
        var jsonp = await _server.Http.GetStringAsync($"api/send?token={_alice.Token}&to=bob&body=g&id=g1&callback=cc.done");
        ChatServer.ParseJsonp(jsonp, "cc.done").GetProperty("mid").GetInt64().ShouldBeGreaterThan(0);
        var dup = await _server.Http.GetStringAsync($"api/send?token={_alice.Token}&to=bob&body=g&id=g1&callback=cc.done");
        ChatServer.ParseJsonp(dup, "cc.done").GetProperty("duplicate").GetBoolean().ShouldBeTrue();
        TestUser.Mids(await _bob.GetAsync("api/messages?since=0")).Length.ShouldBe(3);
    }

    [Fact]
    public async Task JsonpErrorsAre200WithTheErrorInside()
    {
        using var res = await _server.Http.GetAsync($"api/send?token={_alice.Token}&to=nobody&body=x&callback=cb");
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        res.Content.Headers.ContentType!.ToString().ShouldBe("application/javascript; charset=utf-8");
        res.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        var error = ChatServer.ParseJsonp(await res.Content.ReadAsStringAsync(), "cb").GetProperty("error");
        error.GetProperty("status").GetInt32().ShouldBe(404);
        error.GetProperty("code").GetString().ShouldBe("not_found");
        error.GetProperty("message").GetString()!.ShouldContain("'to'");
    }

    [Theory]
    [InlineData("alert(1)")]
    [InlineData("a-b")]
    [InlineData("1abc")]
    [InlineData("a..b")]
    [InlineData("")]
    [InlineData("function")]
    [InlineData("x.delete")]
    [InlineData("%3Cscript%3E")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task InvalidCallbacksAre400AndNeverEchoed(string callback)
    {
        using var res = await _server.Http.GetAsync($"api/messages?token={_alice.Token}&callback={callback}");
        res.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        res.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var body = await res.Content.ReadAsStringAsync();
        if (callback.Length > 0) body.ShouldNotContain(Uri.UnescapeDataString(callback));
        body.ShouldContain("'callback'");
    }

    [Fact]
    public async Task RepeatedCallbackIs400()
    {
        using var res = await _server.Http.GetAsync($"api/messages?token={_alice.Token}&callback=a&callback=b");
        res.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("a </script><script>alert(1)</script> b")]
    [InlineData("line\u2028sep\u2029para")]
    [InlineData("emoji 😀👍🏽 and 中文 and \"quotes\" & <tags> 'single'")]
    [InlineData("<!-- comment --> \\ backslash")]
    public async Task BodiesRoundTripIdenticallyThroughJsonAndJsonp(string body)
    {
        var sent = await _alice.SendAsync("bob", body);
        var mid = sent.GetProperty("mid").GetInt64();
        var json = await _bob.GetAsync($"api/messages?since={mid - 1}");
        json.GetProperty("messages")[0].GetProperty("body").GetString().ShouldBe(body);

        var raw = await _server.Http.GetStringAsync($"api/messages?since={mid - 1}&token={_bob.Token}&callback=cb");
        raw.ShouldNotContain("</script");
        raw.ShouldNotContain("\u2028");
        raw.ShouldNotContain("<!--");
        ChatServer.ParseJsonp(raw, "cb").GetProperty("messages")[0].GetProperty("body").GetString().ShouldBe(body);
        Encoding.UTF8.GetBytes(ChatServer.ParseJsonp(raw, "cb").GetProperty("messages")[0].GetProperty("body").GetString()!)
            .ShouldBe(Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public async Task ShortPollWithoutSinceStartsAtTheHead()
    {
        await _alice.SendAsync("bob", "old");
        var page = await _bob.GetAsync("api/messages");
        page.GetProperty("messages").GetArrayLength().ShouldBe(0);
        var head = page.GetProperty("cursor").GetInt64();
        await _alice.SendAsync("bob", "new");
        var next = await _bob.GetAsync($"api/messages?since={head}");
        next.GetProperty("messages")[0].GetProperty("body").GetString().ShouldBe("new");
    }

    [Fact]
    public async Task ShortPollPagesWithLimitAndMore()
    {
        for (var i = 0; i < 5; i++) await _alice.SendAsync("bob", "m" + i);
        var first = await _bob.GetAsync("api/messages?since=0&limit=2");
        first.GetProperty("messages").GetArrayLength().ShouldBe(2);
        first.GetProperty("more").GetBoolean().ShouldBeTrue();
        var seen = new List<long>(TestUser.Mids(first));
        var cursor = first.GetProperty("cursor").GetInt64();
        while (true)
        {
            var page = await _bob.GetAsync($"api/messages?since={cursor}&limit=2");
            seen.AddRange(TestUser.Mids(page));
            cursor = page.GetProperty("cursor").GetInt64();
            if (!page.GetProperty("more").GetBoolean()) break;
        }
        seen.Count.ShouldBe(5);
        seen.ShouldBe(seen.Order().ToList());
    }

    [Theory]
    [InlineData("since=-1", 400, "'since'")]
    [InlineData("since=abc", 400, "'since'")]
    [InlineData("since=99999999999999999999999", 400, "'since'")]
    [InlineData("since=1000", 409, "'since'")]
    [InlineData("limit=0", 400, "'limit'")]
    [InlineData("limit=501", 400, "'limit'")]
    [InlineData("limit=x", 400, "'limit'")]
    public async Task ShortPollValidatesParameters(string query, int status, string named)
    {
        var problem = await _bob.GetAsync("api/messages?" + query, (HttpStatusCode)status);
        problem.GetProperty("detail").GetString()!.ShouldContain(named);
        if (status == 409) problem.GetProperty("code").GetString().ShouldBe("cursor_ahead");
    }

    [Fact]
    public async Task ApiAnswersCarryNoStoreAndCors()
    {
        using var req = _bob.Request(HttpMethod.Get, "api/messages");
        req.Headers.Add("Origin", "http://shop.example");
        using var res = await _server.Http.SendAsync(req);
        res.Headers.CacheControl!.NoStore.ShouldBeTrue();
        res.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["*"]);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "api/messages");
        preflight.Headers.Add("Origin", "http://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        using var pre = await _server.Http.SendAsync(preflight);
        pre.StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task HealthzAndStats()
    {
        using var health = await _server.Http.GetAsync("healthz");
        (await ChatServer.ReadJsonAsync(health, HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("ok");
        var jsonp = await _server.Http.GetStringAsync("healthz?callback=h");
        ChatServer.ParseJsonp(jsonp, "h").GetProperty("status").GetString().ShouldBe("ok");

        await _alice.SendAsync("bob", "count me");
        var stats = await _bob.GetAsync("api/stats");
        stats.GetProperty("messagesStored").GetInt64().ShouldBe(1);
        stats.GetProperty("parkedPolls").GetInt64().ShouldBe(0);
        stats.TryGetProperty("messagesPerSecond", out _).ShouldBeTrue();
        using var anon = await _server.Http.GetAsync("api/stats");
        anon.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MalformedJsonBodyIs400()
    {
        using var res = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages",
            new StringContent("{\"to\":", Encoding.UTF8, "application/json")));
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.BadRequest)).GetProperty("code").GetString().ShouldBe("bad_request");
        using var nested = await _server.Http.SendAsync(_alice.Request(HttpMethod.Post, "api/messages",
            new StringContent("{\"to\":{\"x\":1},\"body\":\"b\"}", Encoding.UTF8, "application/json")));
        (await ChatServer.ReadJsonAsync(nested, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain("'to'");
    }

    [Fact]
    public async Task MessageJsonHasExactlyTheContractFields()
    {
        await _alice.SendAsync("bob", "shape");
        var m = (await _bob.GetAsync("api/messages?since=0")).GetProperty("messages")[0];
        m.EnumerateObject().Select(p => p.Name).ShouldBe(["mid", "id", "from", "to", "kind", "body", "sentAt"]);
        m.GetProperty("mid").ValueKind.ShouldBe(JsonValueKind.Number);
    }
}

public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsSpeakPrometheusTextWithCountersAndHistograms()
    {
        await using var server = await ChatServer.StartAsync();
        var alice = await server.LoginAsync("alice");
        var bob = await server.LoginAsync("bob");
        var poll = bob.GetAsync($"api/poll?since={bob.Cursor}");
        await server.WaitForParkedPollsAsync(1);
        await alice.SendAsync("bob", "measure me");
        await poll.DefaultTimeout();

        using var res = await server.Http.GetAsync("metrics");
        res.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await res.Content.ReadAsStringAsync();
        text.ShouldContain("# TYPE cometchat_messages_stored_total counter\ncometchat_messages_stored_total 1\n");
        text.ShouldContain("cometchat_deliveries_total 1\n");
        text.ShouldContain("cometchat_parked_polls 0\n");
        text.ShouldContain("cometchat_commit_batch_size_bucket{le=\"1\"} ");
        text.ShouldContain("cometchat_wake_latency_ms_count 1\n");
        var stats = await bob.GetAsync("api/stats");
        stats.GetProperty("deliveries").GetInt64().ShouldBe(1);
    }
}
