using System.Net;
using System.Net.WebSockets;
using System.Text;
using CometChat.Tests.Infrastructure;
using static CometChat.Tests.Infrastructure.FeedReader;

namespace CometChat.Tests.Hardening;

/// <summary>Issue 13: the faults found by trying CometChat as its users would, each input as it was reported.</summary>
public sealed class UserFaultTests : IAsyncLifetime
{
    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(new() { ["Chat:MaxParkedPerUser"] = "3", ["Chat:Support:Agents:0"] = "ann" }, users: ["alice", "bob"]);
        (_alice, _bob) = (_server.User("alice"), _server.User("bob"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> PostAsync(string url, string body, string contentType, TestUser? user = null)
    {
        var req = user is null ? new HttpRequestMessage(HttpMethod.Post, url) : user.Request(HttpMethod.Post, url);
        req.Content = new StringContent(body, Encoding.UTF8, contentType);
        req.Headers.Add("Origin", "http://shop.example");
        return await _server.Http.SendAsync(req).DefaultTimeout();
    }

    private static void HasApiHeaders(HttpResponseMessage res)
    {
        res.Headers.CacheControl!.NoStore.ShouldBeTrue();
        res.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["*"]);
    }

    // 1. A lone surrogate escape, in every JSON string the server reads.
    [Theory]
    [InlineData("""{"to":"bob","body":"x\ud800y"}""", "application/json", 200, null)]
    [InlineData("""{"to":"bob","body":"x\udc00y","id":"i\ud800d"}""", "application/json", 200, null)]
    [InlineData("""{"to":"bob","body":"x\ud800y"}""", "text/plain", 200, null)]
    [InlineData("""{"to":"b\ud800ob","body":"x"}""", "application/json", 400, "'to'")]
    [InlineData("""{"to":"bob","body":"x","cl\ud800ient":"c"}""", "application/json", 200, null)]
    public async Task LoneSurrogateEscapesInJsonBodiesAreReplacedOrRefusedNeverA500(string json, string type, int status, string? named)
    {
        using var res = await PostAsync("api/messages", json, type, _alice);
        HasApiHeaders(res);
        var answer = await ChatServer.ReadJsonAsync(res, (HttpStatusCode)status);
        if (named is not null) { answer.GetProperty("detail").GetString()!.ShouldContain(named); return; }
        var mid = answer.GetProperty("mid").GetInt64();
        answer.GetProperty("id").GetString()!.ShouldNotContain("\uD800");
        var body = (await _bob.GetAsync($"api/messages?since={mid - 1}")).GetProperty("messages")[0].GetProperty("body").GetString()!;
        body.ShouldBe(json.Contains("\"body\":\"x\"", StringComparison.Ordinal) ? "x" : "x\uFFFDy");
    }

    [Fact]
    public async Task LoneSurrogateInLoginIsAnsweredNotA500()
    {
        using var name = await PostAsync("api/login", """{"name":"ev\ud800e","password":"p"}""", "application/json");
        HasApiHeaders(name);
        (await ChatServer.ReadJsonAsync(name, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain("'name'");
        using var password = await PostAsync("api/login", """{"name":"eve","password":"p\ud800"}""", "application/json");
        (await ChatServer.ReadJsonAsync(password, HttpStatusCode.OK)).GetProperty("user").GetString().ShouldBe("eve");
        using var again = await PostAsync("api/login", """{"name":"eve","password":"p\ud800"}""", "application/json");
        again.StatusCode.ShouldBe(HttpStatusCode.OK); // the same replacement every time: the password still matches
    }

    [Fact]
    public async Task LoneSurrogatesAndInvalidUtf8OverWebSocketGetAnErrorOrReplyAndTheSocketStaysOpen()
    {
        // With a client name, so the socket's own send is answered by its reply only, not echoed by the feed.
        await using var bob = (WebSocketReader)await FeedReader.OpenAsync(_bob, "ws", _bob.Cursor, "&client=ws1");
        await bob.SendAsync("""{"op":"send","id":"c1","to":"alice","body":"x\ud800y"}""");
        (await bob.NextReplyAsync()).GetProperty("mid").GetInt64().ShouldBeGreaterThan(0);

        // Issue 11 item 10: invalid UTF-8 in a binary frame (text frames are closed 1007 by the protocol).
        await bob.Socket.SendAsync(new byte[] { (byte)'{', 0xc3, 0x28, (byte)'}' }, WebSocketMessageType.Binary, true, CancellationToken.None).DefaultTimeout();
        (await bob.NextReplyAsync()).GetProperty("error").GetProperty("message").GetString()!.ShouldContain("UTF-8");

        var sent = await _alice.SendAsync("bob", "still open");
        (await bob.NextMessageAsync()).Mid.ShouldBe(sent.GetProperty("mid").GetInt64());
    }

    [Fact]
    public async Task LoneSurrogatesAndInvalidUtf8OverTcpGetAnErrorOrReplyAndTheSocketStaysOpen()
    {
        await using var bob = (TcpReader)await FeedReader.OpenAsync(_bob, "tcp", _bob.Cursor);
        await bob.WriteLineAsync("""{"op":"send","id":"c1","to":"alice","body":"x\ud800y"}""");
        (await bob.NextReplyAsync()).GetProperty("mid").GetInt64().ShouldBeGreaterThan(0); // bob's own feed has the message too
        await bob.WriteRawAsync([(byte)'{', 0xc3, 0x28, (byte)'}', (byte)'\n']);
        (await bob.NextReplyAsync()).GetProperty("error").GetProperty("message").GetString()!.ShouldContain("UTF-8");
        await bob.WriteLineAsync("""{"op":"ping","id":"p"}""");
        (await bob.NextReplyAsync()).GetRawText().ShouldBe("""{"reply":"p","pong":true}""");
    }

    // 2. Error answers keep the headers every API answer has.
    [Fact]
    public async Task ARefusedCallbackStillCarriesNoStoreAndCors()
    {
        foreach (var query in new[] { "callback=alert(1)", "callback=a&callback=b", "callback=cb%0A" })
        {
            using var req = _bob.Request(HttpMethod.Get, "api/messages?" + query);
            req.Headers.Add("Origin", "http://shop.example");
            using var res = await _server.Http.SendAsync(req).DefaultTimeout();
            res.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            HasApiHeaders(res);
        }
    }

    // 3. SSE hands the client its starting cursor at once.
    [Fact]
    public async Task AnEventSourceThatReconnectsBeforeItsFirstMessageLosesNothing()
    {
        using var first = await _server.Http.SendAsync(_bob.Request(HttpMethod.Get, "api/events"), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        using var lines = new StreamReader(await first.Content.ReadAsStreamAsync());
        (await lines.ReadLineAsync().DefaultTimeout()).ShouldBe("retry: 3000");
        var id = (await lines.ReadLineAsync().DefaultTimeout())!;
        id.ShouldBe($"id: {_bob.Cursor}");
        first.Dispose(); // the connection drops before any message

        var sent = await _alice.SendAsync("bob", "sent in the gap");
        var again = _bob.Request(HttpMethod.Get, "api/events");
        again.Headers.Add("Last-Event-ID", id[4..]); // what EventSource sends back
        using var second = await _server.Http.SendAsync(again, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        using var more = new StreamReader(await second.Content.ReadAsStreamAsync());
        string? data;
        do data = await more.ReadLineAsync().DefaultTimeout();
        while (data is not null && !data.StartsWith("data: ", StringComparison.Ordinal));
        System.Text.Json.JsonDocument.Parse(data![6..]).RootElement.GetProperty("mid").GetInt64().ShouldBe(sent.GetProperty("mid").GetInt64());
    }

    // 5. Duplicate JSON keys, and a parameter both in the query and in the body.
    [Theory]
    [InlineData("api/messages", """{"to":"bob","to":"eve","body":"x"}""", "application/json", "'to'")]
    [InlineData("api/messages", """{"to":"bob","body":"x","body":"y"}""", "text/plain", "'body'")]
    [InlineData("api/messages?to=eve", """{"to":"bob","body":"x"}""", "application/json", "'to'")]
    [InlineData("api/messages?to=eve", "to=bob&body=x", "application/x-www-form-urlencoded", "'to'")]
    [InlineData("api/rooms/lobby/join?client=a", "client=b", "application/x-www-form-urlencoded", "'client'")]
    [InlineData("api/receipts?state=read", "ref=1&state=delivered", "application/x-www-form-urlencoded", "'state'")]
    public async Task AParameterGivenTwiceIsRefusedNamingItOnEveryEndpoint(string url, string body, string type, string named)
    {
        using var res = await PostAsync(url, body, type, _alice);
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain(named);
        TestUser.Mids(await _bob.GetAsync("api/messages?since=0")).ShouldBeEmpty();
    }

    [Fact]
    public async Task DuplicateKeysInLoginAreRefused()
    {
        using var res = await PostAsync("api/login", """{"name":"eve","password":"a","password":"b"}""", "application/json");
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain("'password'");
    }

    // 6. Only polls that park count toward superseding.
    [Fact]
    public async Task PollsThatAnswerAtOnceNeverSupersedeParkedOnes()
    {
        var parked = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 3; i++)
        {
            parked.Add(_bob.RawGetAsync($"api/poll?since={_bob.Cursor}&client=tab{i}"));
            await _server.WaitForParkedPollsAsync(i + 1);
        }
        (await _bob.GetAsync($"api/poll?since={_bob.Cursor}&timeout=0")).GetProperty("messages").GetArrayLength().ShouldBe(0);
        using (var head = await _server.Http.SendAsync(_bob.Request(HttpMethod.Head, $"api/poll?since={_bob.Cursor}")).DefaultTimeout()) head.StatusCode.ShouldBe(HttpStatusCode.OK);
        parked.ShouldAllBe(p => !p.IsCompleted);

        var sent = await _alice.SendAsync("bob", "to every parked tab");
        foreach (var p in parked)
        {
            using var res = await p.DefaultTimeout();
            var page = await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
            page.TryGetProperty("superseded", out _).ShouldBeFalse();
            TestUser.Mids(page).ShouldBe([sent.GetProperty("mid").GetInt64()]);
        }

        // A poll that finds messages waiting answers them at once, without taking a parked poll's place either.
        var again = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 3; i++)
        {
            again.Add(_bob.RawGetAsync($"api/poll?since={sent.GetProperty("mid").GetInt64()}&client=tab{i}"));
            await _server.WaitForParkedPollsAsync(i + 1);
        }
        TestUser.Mids(await _bob.GetAsync($"api/poll?since={_bob.Cursor}")).ShouldBe([sent.GetProperty("mid").GetInt64()]);
        again.ShouldAllBe(p => !p.IsCompleted);
    }

    // 7. One send-reply shape on every wire: sockets get sid too.
    [Theory]
    [InlineData("ws")]
    [InlineData("tcp")]
    public async Task SocketSendRepliesCarryTheSupportSessionLikeHttp(string transport)
    {
        var http = await _bob.SendAsync("@support", "over http");
        var sid = http.GetProperty("sid").GetInt64();
        await using var bob = await FeedReader.OpenAsync(_bob, transport, _bob.Cursor);
        var frame = """{"op":"send","id":"c1","to":"@support","body":"over a socket"}""";
        if (bob is WebSocketReader ws) await ws.SendAsync(frame); else await ((TcpReader)bob).WriteLineAsync(frame);
        var reply = await bob.NextReplyAsync();
        reply.GetProperty("sid").GetInt64().ShouldBe(sid);
        reply.EnumerateObject().Select(p => p.Name).ShouldBe(["reply", .. http.EnumerateObject().Select(p => p.Name)]);
    }
}
