using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace CometChat.LoadGen;

/// <summary>A message as the load tool sees it arrive: mid and body.</summary>
internal readonly record struct Arrival(long Mid, string From, string Body);

/// <summary>
/// Follows one user's feed over one transport (long poll, SSE or WebSocket) and hands every message to a
/// callback; the transports are the public ones of API.md, nothing internal.
/// </summary>
internal static class Subscriber
{
    public static Task RunAsync(ChatApi api, string transport, string token, long since, string? client, Func<Arrival, Task> onMessage, Action onReady, CancellationToken ct) =>
        transport switch
        {
            "poll" => RawPoller.RunAsync(api.BaseAddress, token, since, client, onMessage, onReady, ct),
            "httpclient-poll" => PollAsync(api, token, since, client, onMessage, onReady, ct),
            "sse" => SseAsync(api, token, since, client, onMessage, onReady, ct),
            "ws" => WebSocketAsync(api, token, since, client, onMessage, onReady, ct),
            _ => throw new ArgumentException("--transport must be poll, sse or ws"),
        };

    private static async Task PollAsync(ChatApi api, string token, long since, string? client, Func<Arrival, Task> onMessage, Action onReady, CancellationToken ct)
    {
        var cursor = since;
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            var url = $"api/poll?since={cursor}&timeout=60" + (client is null ? "" : "&client=" + client);
            if (first) { onReady(); first = false; }
            using var stream = await api.OpenStreamAsync(url, token, ct);
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            foreach (var m in doc.RootElement.GetProperty("messages").EnumerateArray()) await onMessage(Parse(m));
            cursor = doc.RootElement.GetProperty("cursor").GetInt64();
        }
    }

    private static async Task SseAsync(ChatApi api, string token, long since, string? client, Func<Arrival, Task> onMessage, Action onReady, CancellationToken ct)
    {
        var url = $"api/events?since={since}" + (client is null ? "" : "&client=" + client);
        using var stream = await api.OpenStreamAsync(url, token, ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        onReady();
        string? eventName = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal)) eventName = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal) && eventName is null or "message")
            {
                using var doc = JsonDocument.Parse(line[5..]);
                await onMessage(Parse(doc.RootElement));
            }
            else if (line.Length == 0) eventName = null;
        }
    }

    private static async Task WebSocketAsync(ChatApi api, string token, long since, string? client, Func<Arrival, Task> onMessage, Action onReady, CancellationToken ct)
    {
        using var ws = new ClientWebSocket();
        var uri = new UriBuilder(api.BaseAddress) { Scheme = api.BaseAddress.Scheme == "https" ? "wss" : "ws", Path = "/ws",
            Query = $"since={since}&token={token}" + (client is null ? "" : "&client=" + client) }.Uri;
        await ws.ConnectAsync(uri, ct);
        onReady();
        var buffer = new byte[64 * 1024];
        while (ws.State == WebSocketState.Open && !ct.IsCancellationRequested)
        {
            var length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                r = await ws.ReceiveAsync(buffer.AsMemory(length), ct);
                length += r.Count;
            } while (!r.EndOfMessage);
            if (r.MessageType == WebSocketMessageType.Close) break;
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (doc.RootElement.TryGetProperty("mid", out _) && doc.RootElement.TryGetProperty("body", out _)) await onMessage(Parse(doc.RootElement));
        }
    }

    private static Arrival Parse(JsonElement m) =>
        new(m.GetProperty("mid").GetInt64(), m.GetProperty("from").GetString()!, m.GetProperty("body").GetString()!);
}
