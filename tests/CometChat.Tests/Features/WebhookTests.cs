using CometChat.Core;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Features;

/// <summary>
/// Webhooks to a real HTTP receiver started here (API.md §7): every event once per id, in order per session,
/// signed; retried with backoff on the fake clock while the receiver is down; and, against a real server
/// process, delivered after a kill -9 that left them pending.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string Secret = "whsec-test-1234";
    private WebhookReceiver _receiver = null!;
    private readonly List<IAsyncDisposable> _owned = [];

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private Dictionary<string, string?> Settings(Dictionary<string, string?>? more = null) => new Dictionary<string, string?>
    {
        ["Chat:Support:Agents:0"] = "ann",
        ["Chat:Support:Agents:1"] = "zed",
        ["Chat:Webhooks:0:Url"] = _receiver.Url,
        ["Chat:Webhooks:0:Secret"] = Secret,
    }.With(more ?? []);

    private async Task<ChatServer> StartAsync(Dictionary<string, string?>? more = null)
    {
        var server = await ChatServer.StartAsync(Settings(more));
        _owned.Add(server);
        return server;
    }

    [Fact]
    public async Task EveryEventArrivesOnceInOrderPerSessionSigned()
    {
        var server = await StartAsync();
        var ann = await server.MintedAsync("ann");
        var zed = await server.MintedAsync("zed");
        await ann.GetAsync("api/messages");
        var kim = await server.MintedAsync("kim");
        var bo = await server.MintedAsync("bo");

        var s1 = (await kim.SendAsync("@support", "parcel?")).Num("sid");
        var s2 = (await bo.SendAsync("@support", "size?")).Num("sid");
        await ann.SendWithSidAsync("kim", "today", s1);
        await ann.PostAsync($"api/support/{s1}/notes", ("body", "vip"));          // no event: notes stay inside
        await ann.SendWithSidAsync("bo", "42", s2);
        await ann.PostAsync($"api/support/{s1}/transfer", ("to", "zed"));
        await zed.PostAsync($"api/support/{s1}/close");
        await kim.PostAsync($"api/support/{s1}/rating", ("score", "5"), ("comment", "great"));
        await bo.PostAsync($"api/support/{s2}/close");

        await _receiver.WaitAsync(r => r.Received.Count >= 10);
        await server.Get<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None).DefaultTimeout(); // nothing left behind
        var all = _receiver.Received;
        all.Count.ShouldBe(10);
        all.Select(d => d.Id).Distinct().Count().ShouldBe(10);
        foreach (var d in all)
        {
            d.SignedWith(Secret).ShouldBeTrue();
            d.ContentType.ShouldStartWith("application/json");
            var json = d.Json;
            (json.Str("id"), json.Str("type")).ShouldBe((d.Id, d.Event));
            d.Id.ShouldStartWith("evt_");
            json.Num("createdAt").ShouldBeGreaterThan(0);
        }
        all.Where(d => d.Sid == s1).Select(d => d.Event).ShouldBe([
            "session.assigned", "message.created", "message.created", "session.transferred", "session.closed", "session.rated"]);
        all.Where(d => d.Sid == s2).Select(d => d.Event).ShouldBe(["session.assigned", "message.created", "message.created", "session.closed"]);
        var transferred = all.Single(d => d.Event == "session.transferred").Json.GetProperty("data");
        (transferred.Str("from"), transferred.GetProperty("session").Str("agent")).ShouldBe(("ann", "zed"));
        var rated = all.Single(d => d.Event == "session.rated").Json.GetProperty("data").GetProperty("session").GetProperty("rating");
        (rated.Num("score"), rated.Str("comment")).ShouldBe((5L, "great"));
        var created = all.First(d => d.Event == "message.created").Json.GetProperty("data").GetProperty("message");
        (created.Str("from"), created.Str("body"), created.Num("sid")).ShouldBe(("kim", "parcel?", s1));
        all.ShouldNotContain(d => d.Body.Contains("vip"));
    }

    [Fact]
    public async Task AnUnreachableBackendGetsEverythingOnceItIsBackInOrder()
    {
        var server = await StartAsync(new()
        {
            ["Chat:Webhooks:1:Url"] = _receiver.Url + "?only=closed",
            ["Chat:Webhooks:1:Secret"] = "other",
            ["Chat:Webhooks:1:Events:0"] = "session.closed",
        });
        var dispatcher = server.Get<OutboxDispatcher>();
        _receiver.Down = true;
        var kim = await server.MintedAsync("kim");
        var sid = (await kim.SendAsync("@support", "anyone?")).Num("sid"); // queued + offline + message
        await kim.SendAsync("@support", "hello?");
        await kim.PostAsync($"api/support/{sid}/close");
        await _receiver.WaitAsync(r => r.Refused >= 2); // the first attempt of each URL's head event

        // Backoff: nothing is retried before it is due; each failure doubles the wait.
        for (var i = 0; i < 5; i++)
        {
            var refused = _receiver.Refused;
            await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
            _receiver.Refused.ShouldBe(refused);
            server.Time.Advance(OutboxDispatcher.Backoff(i + 1));
            await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
            _receiver.Refused.ShouldBe(refused + 2); // one head per URL and session: the rest wait their turn
        }
        _receiver.Received.ShouldBeEmpty();

        _receiver.Down = false;
        server.Time.Advance(OutboxDispatcher.Backoff(6));
        await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        var all = _receiver.Received;
        all.Where(d => !d.Body.Contains("\"only\"")).Count().ShouldBe(all.Count);
        all.Select(d => (d.Event, d.SignedWith(Secret) ? "main" : d.SignedWith("other") ? "closed-only" : "bad")).ShouldBe([
            ("session.queued", "main"), ("session.offline", "main"), ("session.closed", "closed-only"),
            ("message.created", "main"), ("message.created", "main"), ("session.closed", "main")], ignoreOrder: true);
        all.Where(d => d.SignedWith(Secret)).Select(d => d.Event).ShouldBe(["session.queued", "session.offline", "message.created", "message.created", "session.closed"]);
        all.Select(d => d.Id).Distinct().Count().ShouldBe(5); // one event to two URLs keeps its one id
        await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        _receiver.Received.Count.ShouldBe(6);
    }

    [Fact]
    public async Task DeliveryIsGivenUpAfterTheRetryWindow()
    {
        var server = await StartAsync(new() { ["Chat:WebhookRetryHours"] = "1" });
        var dispatcher = server.Get<OutboxDispatcher>();
        _receiver.Down = true;
        var kim = await server.MintedAsync("kim");
        await kim.SendAsync("@support", "hi");
        await _receiver.WaitAsync(r => r.Refused >= 1);
        for (var i = 0; i < 16; i++)
        {
            server.Time.Advance(TimeSpan.FromMinutes(10));
            await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout();
        }
        _receiver.Down = false;
        server.Time.Advance(TimeSpan.FromHours(1));
        (await dispatcher.DispatchDueAsync(CancellationToken.None).DefaultTimeout()).ShouldBeNull(); // nothing waits any more
        _receiver.Received.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Chat:Webhooks:0:Url", "ftp://backend.example/hook", "is not an http or https URL")]
    [InlineData("Chat:Webhooks:0:Events:0", "session.exploded", "'session.exploded' is not one of")]
    public async Task ABadWebhookStopsTheStartNamingIt(string setting, string value, string says)
    {
        var e = await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => ChatServer.StartAsync(Settings(new() { [setting] = value })));
        e.Message.ShouldContain("Chat:Webhooks");
        e.Message.ShouldContain(says);
    }

    [Fact]
    public async Task KillDashNineWithEventsPendingDeliversThemAfterRestart()
    {
        using var dir = new TempDirectory();
        var args = Settings().Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        _receiver.Down = true;
        var sids = new List<long>();
        await using (var process = await ServerProcess.StartAsync(dir.Path, args))
        {
            foreach (var customer in new[] { "kim", "bo" })
            {
                var token = DeskUsers.Mint(customer, DateTimeOffset.UtcNow); // the process runs on the real clock
                using var res = await process.Http.PostAsync("api/messages", ChatServer.Form(("token", token), ("to", "@support"), ("body", "hello from " + customer)));
                sids.Add((await ChatServer.ReadJsonAsync(res, System.Net.HttpStatusCode.OK)).Num("sid"));
                using var close = await process.Http.PostAsync($"api/support/{sids[^1]}/close", ChatServer.Form(("token", token)));
                close.EnsureSuccessStatusCode();
            }
            await _receiver.WaitAsync(r => r.Refused >= 2); // tried, refused: pending, with retries scheduled
            await process.KillAsync();
        }
        _receiver.Down = false;
        await using (await ServerProcess.StartAsync(dir.Path, args))
        {
            await _receiver.WaitAsync(r => r.Received.Count >= 8);
        }
        var all = _receiver.Received;
        all.Select(d => d.Id).Distinct().Count().ShouldBe(all.Count);
        foreach (var sid in sids)
            all.Where(d => d.Sid == sid).Select(d => d.Event).ShouldBe(["session.queued", "session.offline", "message.created", "session.closed"]);
        all.ShouldAllBe(d => d.SignedWith(Secret));
    }
}
