using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CometChat.LoadGen;

/// <summary>
/// A lean long-poll client on one keep-alive socket: a hand-written request and a Utf8JsonReader over
/// the answer. HttpClient costs the load generator more per poll than the server spends answering it,
/// which would make the tool, not the server, the thing measured.
/// </summary>
internal static class RawPoller
{
    public static async Task RunAsync(Uri server, string token, long since, string? client, Func<Arrival, Task> onMessage, Action onReady, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, ct);
        var prefix = "GET /api/poll?timeout=60" + (client is null ? "" : "&client=" + client) + "&since=";
        var suffix = Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {server.Host}\r\nAuthorization: Bearer {token}\r\n\r\n");
        var buffer = new byte[64 * 1024];
        var cursor = since;
        var first = true;
        using var registration = ct.Register(() => socket.Dispose());
        while (!ct.IsCancellationRequested)
        {
            var request = Encoding.ASCII.GetBytes(prefix + cursor.ToString(CultureInfo.InvariantCulture));
            await socket.SendAsync(request.Concat(suffix).ToArray(), SocketFlags.None, ct);
            if (first) { onReady(); first = false; }
            var (body, length) = await ReadResponseAsync(socket, buffer, ct);
            buffer = body;
            cursor = await ParseAsync(body.AsMemory(0, length), cursor, onMessage);
        }
    }

    private static async Task<(byte[] Buffer, int Length)> ReadResponseAsync(Socket socket, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
            if (n == 0) throw new IOException("the server closed the connection");
            filled += n;
        }
        var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        if (!headers.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)) throw new HttpRequestException(headers.Split('\r')[0]);
        var at = headers.IndexOf("Content-Length:", StringComparison.OrdinalIgnoreCase);
        if (at < 0) throw new HttpRequestException("no Content-Length on a poll answer");
        var end = headers.IndexOf('\r', at);
        var length = int.Parse(headers.AsSpan(at + 15, (end < 0 ? headers.Length : end) - at - 15).Trim(), CultureInfo.InvariantCulture);
        var start = headerEnd + 4;
        var body = length <= buffer.Length - start ? buffer : ResizeKeeping(buffer, start + length, filled);
        while (filled < start + length)
        {
            var n = await socket.ReceiveAsync(body.AsMemory(filled), SocketFlags.None, ct);
            if (n == 0) throw new IOException("the server closed the connection");
            filled += n;
        }
        // Shift the body to the front so the caller parses [0, length).
        Buffer.BlockCopy(body, start, body, 0, length);
        return (body, length);
    }

    private static byte[] ResizeKeeping(byte[] buffer, int size, int filled)
    {
        var bigger = new byte[size];
        Buffer.BlockCopy(buffer, 0, bigger, 0, filled);
        return bigger;
    }

    /// <summary>Hands each message to the callback; returns the answer's cursor.</summary>
    private static async Task<long> ParseAsync(ReadOnlyMemory<byte> json, long cursor, Func<Arrival, Task> onMessage)
    {
        var arrivals = new List<Arrival>();
        var next = Read(json.Span, arrivals, cursor);
        foreach (var a in arrivals) await onMessage(a);
        return next;
    }

    private static long Read(ReadOnlySpan<byte> json, List<Arrival> arrivals, long cursor)
    {
        var r = new Utf8JsonReader(json);
        long mid = 0;
        string? from = null, body = null;
        var depth = 0;
        while (r.Read())
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject:
                    depth++;
                    if (depth == 2) { mid = 0; from = body = null; }
                    break;
                case JsonTokenType.EndObject:
                    if (depth == 2 && mid > 0 && body is not null) arrivals.Add(new Arrival(mid, from ?? "", body));
                    depth--;
                    break;
                case JsonTokenType.PropertyName when depth == 1 && r.ValueTextEquals("cursor"u8):
                    r.Read();
                    cursor = r.GetInt64();
                    break;
                case JsonTokenType.PropertyName when depth == 2:
                    if (r.ValueTextEquals("mid"u8)) { r.Read(); mid = r.GetInt64(); }
                    else if (r.ValueTextEquals("from"u8)) { r.Read(); from = r.GetString(); }
                    else if (r.ValueTextEquals("body"u8)) { r.Read(); body = r.GetString(); }
                    break;
            }
        }
        return cursor;
    }
}
