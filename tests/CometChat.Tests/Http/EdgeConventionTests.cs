using System.Net;
using System.Text;
using System.Text.Json;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Http;

/// <summary>
/// The conventions of the HTTP edge, checked over every endpoint the server maps, so an endpoint added later is
/// held to them without a test of its own: a token on everything but the open few, HEAD beside every GET,
/// and an OpenAPI document that lists each endpoint with the shape it really answers.
/// </summary>
public sealed class EdgeConventionTests : IAsyncLifetime
{
    /// <summary>What API.md leaves open: login, a guest identity (§7), health, metrics, the OpenAPI document.</summary>
    private static readonly string[] Open = ["/api/login", "/api/guest", "/healthz", "/metrics", "/openapi/{documentName}.json"];

    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(new() { ["Chat:Support:Agents:0"] = "alice" }, users: ["bob"]);
        _alice = await _server.MintedUserAsync("alice"); // an agent: reserved, signed in by a minted token
        _bob = _server.User("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private List<(string Pattern, string Method)> Endpoints() =>
        [.. _server.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (e.RoutePattern.RawText!, m)))
            .Where(e => e.Item2 != "HEAD")];

    private static string Concrete(string pattern) => pattern.Replace("{room}", "lobby").Replace("{sid}", "1").Replace("{documentName}", "v1").Replace("{shortcut}", "hello");

    [Fact]
    public async Task EveryEndpointButTheOpenOnesRefusesARequestWithoutAToken()
    {
        var endpoints = Endpoints().Where(e => !Open.Contains(e.Pattern)).ToList();
        endpoints.Count.ShouldBeGreaterThan(20);
        foreach (var (pattern, method) in endpoints)
        {
            using var req = new HttpRequestMessage(new HttpMethod(method), Concrete(pattern).TrimStart('/'));
            if (method != "GET") req.Content = new StringContent("to=bob&body=x", Encoding.UTF8, "application/x-www-form-urlencoded");
            using var res = await _server.Http.SendAsync(req).DefaultTimeout();
            res.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{method} {pattern}");
            res.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", $"{method} {pattern}");
        }
        TestUser.Mids(await _bob.GetAsync("api/messages?since=0")).ShouldBeEmpty();
    }

    [Fact]
    public async Task HeadAnswersEveryGetAtOnceWithItsStatusAndNoBody()
    {
        // GET /api/logout would end alice's token half-way through; its HEAD is checked on its own below.
        foreach (var (pattern, method) in Endpoints().Where(e => e.Method == "GET" && e.Pattern != "/api/logout"))
        {
            var url = Concrete(pattern).TrimStart('/');
            using var get = await _server.Http.SendAsync(_alice.Request(HttpMethod.Get, url + (url.Contains('?') ? "&" : "?") + "timeout=0"), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
            // Polls and streams must never park on HEAD: the 20 s default timeout would fail the test long before.
            using var head = await _server.Http.SendAsync(_alice.Request(HttpMethod.Head, url)).DefaultTimeout();
            head.StatusCode.ShouldBe(get.StatusCode, $"HEAD {pattern}");
            (await head.Content.ReadAsByteArrayAsync()).ShouldBeEmpty($"HEAD {pattern}");
            head.Content.Headers.ContentType?.MediaType.ShouldBe(get.Content.Headers.ContentType?.MediaType, $"HEAD {pattern}");
        }
        _server.Get<CometChat.Core.ChatStats>().ParkedPolls.ShouldBe(0);

        var leaving = await _server.LoginAsync("leaving");
        using var logout = await _server.Http.SendAsync(leaving.Request(HttpMethod.Head, "api/logout")).DefaultTimeout();
        logout.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await logout.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task OpenApiListsEveryEndpointAndEachAnswerFitsItsDocumentedSchema()
    {
        using var res = await _server.Http.GetAsync("openapi/v1.json");
        var doc = await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        foreach (var (pattern, method) in Endpoints().Where(e => !e.Pattern.StartsWith("/openapi", StringComparison.Ordinal) && e.Pattern is not ("/ws" or "/metrics" or "/healthz")))
            paths.TryGetProperty(pattern, out var item).ShouldBeTrue($"{pattern} is not in the OpenAPI document");

        // Real answers, each checked against the schema the document gives for its 200.
        var sent = await _alice.SendAsync("bob", "hi", id: "m1");
        await _alice.GetAsync("api/join?room=lobby");
        var answers = new (string Path, string Method, JsonElement Answer)[]
        {
            ("/api/messages", "post", sent),
            ("/api/me", "get", await _alice.GetAsync("api/me")),
            ("/api/messages", "get", await _bob.GetAsync("api/messages?since=0")),
            ("/api/poll", "get", await _bob.GetAsync("api/poll?since=0")),
            ("/api/history", "get", await _bob.GetAsync("api/history?with=alice&limit=1")),
            ("/api/rooms", "get", await _bob.GetAsync("api/rooms")),
            ("/api/rooms/{room}", "get", await _bob.GetAsync("api/rooms/lobby")),
            ("/api/join", "get", await _bob.GetAsync("api/join?room=lobby")),
            ("/api/stats", "get", await _bob.GetAsync("api/stats")),
            ("/api/typing", "get", await _bob.GetAsync("api/typing?to=alice")),
            ("/api/receipt", "get", await _bob.GetAsync($"api/receipt?ref={sent.GetProperty("mid")}&state=read")),
            ("/api/support/mine", "get", await _bob.GetAsync("api/support/mine")),
        };
        // The desk (API.md §7): alice is an agent, bob writes to the desk and alice claims and closes.
        var sid = (await _bob.SendAsync("@support", "help", id: "s1")).GetProperty("sid").GetInt64();
        var desk = new (string Path, string Method, JsonElement Answer)[]
        {
            ("/api/support/queue", "get", await _alice.GetAsync("api/support/queue")),
            ("/api/support/claim", "get", await _alice.GetAsync($"api/support/claim?sid={sid}")),
            ("/api/support/sessions", "get", await _alice.GetAsync("api/support/sessions")),
            ("/api/support/sessions/{sid}", "get", await _alice.GetAsync($"api/support/sessions/{sid}")),
            ("/api/support/agents", "get", await _alice.GetAsync("api/support/agents")),
            ("/api/support/note", "get", await _alice.GetAsync($"api/support/note?sid={sid}&body=n")),
            ("/api/support/canned/save", "get", await _alice.GetAsync("api/support/canned/save?shortcut=hi&body=Hello")),
            ("/api/support/close", "get", await _alice.GetAsync($"api/support/close?sid={sid}")),
            ("/api/support/rate", "get", await _bob.GetAsync($"api/support/rate?sid={sid}&score=5")),
            ("/api/support/{sid}/transcript", "get", await _alice.GetAsync($"api/support/{sid}/transcript")),
            ("/api/support/report", "get", await _alice.GetAsync("api/support/report")),
            ("/api/support/mine", "get", await _bob.GetAsync("api/support/mine")),
        };
        answers = [.. answers, .. desk];
        foreach (var (path, method, answer) in answers)
        {
            var schema = doc.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty("200")
                .GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Fits(doc, schema, answer, $"{method} {path}");
        }
    }

    /// <summary>Every member of <paramref name="value"/> is a documented property (recursively, through $ref and arrays).</summary>
    private static void Fits(JsonElement doc, JsonElement schema, JsonElement value, string where)
    {
        schema = Resolve(doc, schema);
        if (value.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            foreach (var member in value.EnumerateObject())
            {
                properties.TryGetProperty(member.Name, out var property).ShouldBeTrue($"{where}: '{member.Name}' is not documented");
                Fits(doc, property, member.Value, where + "." + member.Name);
            }
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
            foreach (var item in value.EnumerateArray()) Fits(doc, items, item, where + "[]");
    }

    private static JsonElement Resolve(JsonElement doc, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference)) return schema;
        var name = reference.GetString()!.Split('/')[^1];
        return doc.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}
