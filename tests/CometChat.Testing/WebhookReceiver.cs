using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CometChat.Tests.Infrastructure;

/// <summary>
/// A site's backend for webhook tests: a real Kestrel on 127.0.0.1 that records every delivery (headers and
/// body) and answers 200, or 503 while <see cref="Down"/>. The port stays the same across Stop/Start, as a
/// backend that goes away and comes back.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Delivery> _received = new();
    private TaskCompletionSource _arrived = New();
    private WebApplication? _app;
    private int _port;

    public string Url => $"http://127.0.0.1:{_port}/hooks/cometchat";
    public bool Down { get; set; }
    public int Refused => Volatile.Read(ref _refused);
    private int _refused;

    public IReadOnlyList<Delivery> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var r = new WebhookReceiver();
        await r.StartAppAsync();
        return r;
    }

    private async Task StartAppAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, _port));
        _app = builder.Build();
        _app.MapPost("/hooks/cometchat", async (HttpContext ctx) =>
        {
            var body = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
            if (Down)
            {
                Interlocked.Increment(ref _refused);
                Signal();
                return Results.StatusCode(503);
            }
            _received.Enqueue(new Delivery(
                ctx.Request.Headers["X-CometChat-Event"].ToString(), ctx.Request.Headers["X-CometChat-Id"].ToString(),
                ctx.Request.Headers["X-CometChat-Timestamp"].ToString(), ctx.Request.Headers["X-CometChat-Signature"].ToString(),
                ctx.Request.ContentType ?? "", body));
            Signal();
            return Results.Ok();
        });
        await _app.StartAsync();
        _port = new Uri(_app.Urls.First()).Port;
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, woken by each request that arrives.</summary>
    public async Task WaitAsync(Func<WebhookReceiver, bool> condition)
    {
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (true)
        {
            var arrived = Volatile.Read(ref _arrived).Task;
            if (condition(this)) return;
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"The webhook receiver never saw what the test waited for; it got {_received.Count} deliveries.");
            await Task.WhenAny(arrived, Task.Delay(left));
        }
    }

    private void Signal() => Interlocked.Exchange(ref _arrived, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public Task StartAgainAsync() => StartAppAsync();

    public async ValueTask DisposeAsync() => await StopAsync();

    internal sealed record Delivery(string Event, string Id, string Timestamp, string Signature, string ContentType, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
        public long Sid => Json.GetProperty("data").GetProperty("session").GetProperty("sid").GetInt64();

        /// <summary>The check README tells receivers to make: HMAC-SHA256(secret, timestamp + "." + body), hex, after "sha256=".</summary>
        public bool SignedWith(string secret) =>
            Signature == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(Timestamp + "." + Body)));
    }
}
