using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CometChat.Tests.Infrastructure;

/// <summary>One thing a push transport delivered: a message (with mid), typing, heartbeat or command reply.</summary>
internal sealed record FeedItem(string Kind, long? Mid, string? Body, JsonElement? Json, string Raw)
{
    public static FeedItem FromJson(string raw)
    {
        var json = JsonDocument.Parse(raw).RootElement.Clone();
        if (json.TryGetProperty("reply", out _)) return new("reply", null, null, json, raw);
        var mid = json.TryGetProperty("mid", out var m) ? m.GetInt64() : (long?)null;
        var kind = mid is null ? json.GetProperty("kind").GetString()! : "message";
        var body = json.TryGetProperty("body", out var b) ? b.GetString() : null;
        return new(kind, mid, body, json, raw);
    }
}

/// <summary>A test client of one push transport: every format of /api/stream, /api/events, /ws and the TCP socket.</summary>
internal abstract partial class FeedReader : IAsyncDisposable
{
    public static readonly string[] All = ["ndjson", "text", "multipart", "html", "sse", "ws", "tcp"];
    public static readonly string[] Http = ["ndjson", "text", "multipart", "html", "sse"];

    /// <summary>Opens <paramref name="transport"/> for <paramref name="user"/> after <paramref name="since"/> and reads its opening bytes.</summary>
    public static async Task<FeedReader> OpenAsync(TestUser user, string transport, long? since, string query = "", HttpClient? http = null)
    {
        var sinceQuery = since is null ? "" : $"&since={since}";
        FeedReader reader = transport switch
        {
            "ws" => new WebSocketReader(),
            "tcp" => new TcpReader(),
            _ => new HttpReader(transport, http ?? user.Server.Http),
        };
        var url = transport switch
        {
            "sse" => $"api/events?limit=500{sinceQuery}{query}",
            "ws" => $"ws?limit=500{sinceQuery}{query}",
            _ => $"api/stream?format={transport}&limit=500{sinceQuery}{query}",
        };
        await reader.ConnectAsync(user, url, since).DefaultTimeout();
        return reader;
    }

    protected abstract Task ConnectAsync(TestUser user, string url, long? since);

    /// <summary>The next item, or null when the server ended the stream.</summary>
    public abstract Task<FeedItem?> NextAsync();

    public async Task<FeedItem> NextMessageAsync()
    {
        while (true)
        {
            var item = await NextAsync().DefaultTimeout() ?? throw new ShouldAssertException("The stream ended before the next message.");
            if (item.Kind == "message") return item;
        }
    }

    /// <summary>The next command reply, skipping the feed's messages, events and heartbeats on the way.</summary>
    public async Task<JsonElement> NextReplyAsync()
    {
        while (true)
        {
            var item = await NextAsync().DefaultTimeout() ?? throw new ShouldAssertException("The connection ended before the next reply.");
            if (item.Kind == "reply") return item.Json!.Value;
        }
    }

    public async Task<List<FeedItem>> MessagesAsync(int count)
    {
        var list = new List<FeedItem>(count);
        while (list.Count < count) list.Add(await NextMessageAsync());
        return list;
    }

    /// <summary>Reads until the server ends the stream; the items on the way.</summary>
    public async Task<List<FeedItem>> ToEndAsync()
    {
        var list = new List<FeedItem>();
        while (await NextAsync().DefaultTimeout() is { } item) list.Add(item);
        return list;
    }

    public abstract ValueTask DisposeAsync();

    private sealed partial class HttpReader(string format, HttpClient http) : FeedReader
    {
        public HttpResponseMessage Response { get; private set; } = null!;
        private StreamReader _lines = null!;

        protected override async Task ConnectAsync(TestUser user, string url, long? since)
        {
            var req = user.Request(HttpMethod.Get, url);
            Response = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
            if (!Response.IsSuccessStatusCode)
                throw new ShouldAssertException($"{url}: {(int)Response.StatusCode} {await Response.Content.ReadAsStringAsync()}");
            _lines = new StreamReader(await Response.Content.ReadAsStreamAsync(), new UTF8Encoding(false));
            // Consume the opening bytes, so a test that advances the clock next knows the stream is running.
            switch (format)
            {
                case "ndjson": (await NextAsync())!.Kind.ShouldBe("heartbeat"); break;
                case "text": (await ReadLineAsync())!.ShouldStartWith("# messages after cursor"); break;
                // Every push transport hands the client its starting cursor at once (issue 13 item 3).
                case "multipart": (await ReadLineAsync()).ShouldBe("--cometchat"); (await NextAsync())!.Kind.ShouldBe("heartbeat"); break;
                case "html":
                    while ((await ReadLineAsync())?.EndsWith("-->", StringComparison.Ordinal) == false) { }
                    (await NextAsync())!.Kind.ShouldBe("heartbeat");
                    break;
                case "sse":
                    (await ReadLineAsync()).ShouldBe("retry: 3000");
                    (await ReadLineAsync())!.ShouldStartWith("id: ");
                    (await ReadLineAsync()).ShouldBe("");
                    break;
            }
        }

        private Task<string?> ReadLineAsync() => _lines.ReadLineAsync();

        public override async Task<FeedItem?> NextAsync()
        {
            string? id = null, evt = null;
            while (await ReadLineAsync() is { } line)
            {
                switch (format)
                {
                    case "ndjson":
                        return FeedItem.FromJson(line);
                    case "multipart":
                        if (line.StartsWith('{')) return FeedItem.FromJson(line);
                        break;
                    case "text":
                        if (line.Length == 0) return new FeedItem("heartbeat", null, null, null, line);
                        if (TextLine().Match(line) is { Success: true } m)
                            return new FeedItem("message", long.Parse(m.Groups[1].Value), m.Groups[2].Value, null, line);
                        if (line.Contains(" is typing to ", StringComparison.Ordinal)) return new FeedItem("typing", null, null, null, line);
                        break;
                    case "html":
                        if (line.StartsWith("<!-- heartbeat", StringComparison.Ordinal)) return new FeedItem("heartbeat", null, null, null, line);
                        if (ScriptLine().Match(line) is { Success: true } s)
                        {
                            // Nothing in a message may end the script early or break the JS string.
                            s.Groups[1].Value.ShouldNotContain("</", Case.Insensitive);
                            s.Groups[1].Value.ShouldNotContain("\u2028");
                            return FeedItem.FromJson(s.Groups[1].Value) with { Raw = line };
                        }
                        break;
                    case "sse":
                        if (line == ": ping") return new FeedItem("heartbeat", null, null, null, line);
                        if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                        else if (line.StartsWith("event: ", StringComparison.Ordinal)) evt = line[7..];
                        else if (line.StartsWith("data: ", StringComparison.Ordinal))
                        {
                            var item = FeedItem.FromJson(line[6..]);
                            (await ReadLineAsync()).ShouldBe("", "one data line per event");
                            if (item.Kind == "message") { evt.ShouldBe("message"); id.ShouldBe(item.Mid.ToString()); }
                            else { evt.ShouldBe(item.Kind); id.ShouldBeNull(); }
                            return item;
                        }
                        break;
                }
            }
            return null;
        }

        [GeneratedRegex(@"^\d\d:\d\d:\d\d #(\d+) \S+ -> \S+: (.*)$")]
        private static partial Regex TextLine();

        [GeneratedRegex(@"^<script nonce=""[A-Za-z0-9+/=]+"">parent\.[A-Za-z_.$]+\((.*)\);</script>$")]
        private static partial Regex ScriptLine();

        public override ValueTask DisposeAsync()
        {
            _lines?.Dispose();
            Response?.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    public static HttpResponseMessage ResponseOf(FeedReader reader) => ((HttpReader)reader).Response;

    internal sealed class WebSocketReader : FeedReader
    {
        public ClientWebSocket Socket { get; } = new();

        protected override async Task ConnectAsync(TestUser user, string url, long? since)
        {
            var uri = new Uri(user.Server.BaseUri, url + "&token=" + user.Token);
            await Socket.ConnectAsync(new UriBuilder(uri) { Scheme = "ws" }.Uri, CancellationToken.None);
            (await NextAsync()).ShouldNotBeNull().Kind.ShouldBe("heartbeat");
        }

        public Task SendAsync(string json) => SendAsync(Encoding.UTF8.GetBytes(json));

        public Task SendAsync(byte[] bytes) =>
            Socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None).DefaultTimeout();

        /// <summary>The next text frame, or null once the server closed (see <see cref="ClientWebSocket.CloseStatus"/>).</summary>
        public override async Task<FeedItem?> NextAsync()
        {
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            while (true)
            {
                var result = await Socket.ReceiveAsync(chunk, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                buffer.Write(chunk, 0, result.Count);
                if (result.EndOfMessage) return FeedItem.FromJson(Encoding.UTF8.GetString(buffer.ToArray()));
            }
        }

        public override async ValueTask DisposeAsync()
        {
            Socket.Abort();
            Socket.Dispose();
            await Task.CompletedTask;
        }
    }

    internal sealed class TcpReader : FeedReader
    {
        private readonly TcpClient _tcp = new();
        private NetworkStream _stream = null!;
        private readonly List<byte> _pending = [];
        private readonly byte[] _chunk = new byte[65536];
        private int _chunkLength, _chunkOffset;

        public byte Terminator { get; set; } = (byte)'\n';

        public static async Task<TcpReader> ConnectAsync(ChatServer server)
        {
            var reader = new TcpReader();
            await reader._tcp.ConnectAsync("127.0.0.1", server.SocketPort).DefaultTimeout();
            reader._stream = reader._tcp.GetStream();
            return reader;
        }

        protected override async Task ConnectAsync(TestUser user, string url, long? since)
        {
            await _tcp.ConnectAsync("127.0.0.1", user.Server.SocketPort);
            _stream = _tcp.GetStream();
            await WriteLineAsync($"AUTH {user.Token}{(since is null ? "" : " " + since)}");
            (await ReadLineAsync()).ShouldNotBeNull().ShouldStartWith("OK ");
            (await NextAsync()).ShouldNotBeNull().Kind.ShouldBe("heartbeat");
        }

        public Task WriteLineAsync(string line) => WriteRawAsync(Encoding.UTF8.GetBytes(line + (char)Terminator));

        public async Task WriteRawAsync(byte[] bytes)
        {
            await _stream.WriteAsync(bytes).AsTask().DefaultTimeout();
            await _stream.FlushAsync().DefaultTimeout();
        }

        /// <summary>The next line without its terminator, or null at end of stream (also on a reset).</summary>
        public async Task<string?> ReadLineAsync()
        {
            _pending.Clear();
            while (true)
            {
                if (_chunkOffset == _chunkLength)
                {
                    try { _chunkLength = await _stream.ReadAsync(_chunk).AsTask().DefaultTimeout(); }
                    catch (IOException) { _chunkLength = 0; }
                    _chunkOffset = 0;
                    if (_chunkLength == 0) return _pending.Count == 0 ? null : Encoding.UTF8.GetString([.. _pending]);
                }
                var b = _chunk[_chunkOffset++];
                if (b == Terminator) return Encoding.UTF8.GetString([.. _pending]);
                _pending.Add(b);
            }
        }

        public override async Task<FeedItem?> NextAsync() => await ReadLineAsync() is { } line ? FeedItem.FromJson(line) : null;

        public override ValueTask DisposeAsync()
        {
            _tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
