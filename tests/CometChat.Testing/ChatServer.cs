using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace CometChat.Tests.Infrastructure;

/// <summary>
/// A real CometChat on Kestrel at 127.0.0.1, port 0, over a real SQLite file in a temp folder, with a
/// FakeTimeProvider so timeouts and heartbeats are driven by the test, never by sleeping (or real time, for
/// browsers). With <c>Chat:Store=postgres</c> and no connection string given, it runs on a fresh PostgreSQL
/// database of its own instead, created here and dropped on dispose. Users named at start are logged in
/// (<see cref="User"/>); a restart keeps the HTTP port, so clients reconnect to the same URL.
/// </summary>
internal sealed class ChatServer : IAsyncDisposable
{
    public const string Key = "dGVzdC1rZXktdGhhdC1pcy1hdC1sZWFzdC0zMi1ieXRlcy1sb25nIQ==";
    private readonly TempDirectory _dir;
    private readonly bool _ownsDir;
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider _time;
    private readonly Action<WebApplicationBuilder>? _configure;
    private readonly Dictionary<string, TestUser> _users = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private PostgresTestDatabase? _database;
    private int _httpPort;

    private ChatServer(TempDirectory dir, bool ownsDir, Dictionary<string, string?> settings, TimeProvider time, Action<WebApplicationBuilder>? configure)
    {
        _dir = dir;
        _ownsDir = ownsDir;
        _settings = settings;
        _time = time;
        _configure = configure;
    }

    /// <summary>The fake clock tests advance; a server started on real time has none.</summary>
    public FakeTimeProvider Time => _time as FakeTimeProvider ?? (_time as SteppingClock)?.Fake ?? throw new InvalidOperationException("This server runs on real time.");
    public HttpClient Http { get; private set; } = null!;
    public Uri BaseUri { get; private set; } = null!;
    public int SocketPort { get; private set; }
    public string DatabasePath => _dir.File("chat.db");
    public IServiceProvider Services => _app!.Services;
    /// <summary>The PostgreSQL database this server created for itself (Chat:Store=postgres), else null.</summary>
    public string? PostgresDatabaseName => _database?.Name;

    /// <param name="settings">Configuration over the test defaults (limits off, a known key, port 0).</param>
    /// <param name="dir">A folder to keep (for restarts across servers); else a temp folder of its own.</param>
    /// <param name="time">The clock: a new FakeTimeProvider unless given (a <see cref="SteppingClock"/> over one, TimeProvider.System for browsers).</param>
    /// <param name="users">Names logged in at start (password "secret"), then <see cref="User"/>.</param>
    /// <param name="configure">More host configuration, after the test defaults.</param>
    public static async Task<ChatServer> StartAsync(Dictionary<string, string?>? settings = null, TempDirectory? dir = null, TimeProvider? time = null,
        IEnumerable<string>? users = null, Action<WebApplicationBuilder>? configure = null)
    {
        settings = new Dictionary<string, string?>(settings ?? []);
        var server = new ChatServer(dir ?? new TempDirectory(), dir is null, settings, time ?? new FakeTimeProvider(DateTimeOffset.UtcNow), configure);
        if (settings.GetValueOrDefault("Chat:Store") == "postgres" && !settings.ContainsKey("ConnectionStrings:Postgres"))
        {
            server._database = await PostgresTestDatabase.CreateAsync();
            settings["ConnectionStrings:Postgres"] = server._database.ConnectionString;
        }
        try
        {
            await server.StartAppAsync();
            foreach (var name in users ?? []) server._users[name] = await server.LoginAsync(name);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task StartAppAsync()
    {
        var config = new Dictionary<string, string?>
        {
            ["Chat:Database"] = DatabasePath,
            ["Chat:Http:Address"] = "127.0.0.1",
            ["Chat:Http:Port"] = _httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Chat:Socket:Address"] = "127.0.0.1",
            ["Chat:Socket:Port"] = "0",
            ["Chat:Auth:Key"] = Key,
            ["Chat:Auth:HashIterations"] = "1000",
            ["Chat:StaticRoot"] = Path.Combine(RepoRoot, "static"),
            // Every test client comes from 127.0.0.1: abuse limits are off unless a test turns them on.
            ["Chat:Limits:Enabled"] = "false",
        };
        foreach (var (k, v) in _settings) config[k] = v;

        _app = ChatApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton(_time);
            _configure?.Invoke(builder);
        });
        await _app.StartAsync().DefaultTimeout();
        var listeners = _app.Services.GetRequiredService<ChatListeners>();
        _httpPort = listeners.Http!.IPEndPoint!.Port;
        BaseUri = new Uri($"http://127.0.0.1:{_httpPort}/");
        SocketPort = listeners.Socket?.IPEndPoint?.Port ?? 0;
        Http?.Dispose();
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 5000 })
        {
            BaseAddress = BaseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>
    /// A client whose connections come from another loopback address (127.0.0.2, ...): a different person's
    /// address as the server sees it, for per-address limits. The caller disposes it.
    /// </summary>
    public HttpClient HttpFrom(string localAddress)
    {
        var local = IPAddress.Parse(localAddress);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public T Get<T>() where T : notnull => _app!.Services.GetRequiredService<T>();

    /// <summary>One number read with SQL from this server's own store: its SQLite file, or the PostgreSQL database it created.</summary>
    public async Task<long> StoreScalarAsync(string sql)
    {
        await using System.Data.Common.DbConnection c = _database is { } db
            ? new Npgsql.NpgsqlConnection(db.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + DatabasePath);
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A user named at start, logged in.</summary>
    public TestUser User(string name) => _users[name];

    /// <summary>Waits (bounded) until exactly <paramref name="count"/> long polls are parked, on the server's own signal.</summary>
    public Task WaitForParkedPollsAsync(long count) => WaitForListenersAsync(s => s.ParkedPolls == count, $"{count} parked polls");

    /// <summary>
    /// Waits (bounded) until <paramref name="condition"/> holds over the open polls, streams and sockets. Woken by
    /// <see cref="CometChat.Core.ChatStats.ListenersChanged"/>, never by sleeping.
    /// </summary>
    public async Task WaitForListenersAsync(Func<CometChat.Core.ChatStats, bool> condition, string what = "the expected listeners")
    {
        var stats = Get<CometChat.Core.ChatStats>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check() { if (condition(stats)) reached.TrySetResult(); }
        stats.ListenersChanged += Check;
        try
        {
            Check();
            try { await reached.Task.DefaultTimeout(); }
            catch (TimeoutException) { throw new TimeoutException($"The server never had {what}: {stats.ParkedPolls} parked, {stats.OpenStreams} streams, {stats.OpenSockets} sockets."); }
        }
        finally
        {
            stats.ListenersChanged -= Check;
        }
    }

    /// <summary>Starts a stopped server again over the same database file, on the same HTTP port.</summary>
    public Task StartAgainAsync() => StartAppAsync();

    /// <summary>Stops and starts the server again over the same database file.</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public async Task StopAppAsync()
    {
        // The HttpClient outlives the stop: answers the server wrote while stopping must still be readable.
        if (_app is null) return;
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
        _app = null;
    }

    public async Task<TestUser> LoginAsync(string name, string password = "secret")
    {
        using var res = await Http.PostAsync("api/login", Form(("name", name), ("password", password)));
        var json = await ReadJsonAsync(res, HttpStatusCode.OK);
        return new TestUser(this, json.GetProperty("user").GetString()!, json.GetProperty("token").GetString()!, json.GetProperty("cursor").GetInt64());
    }

    /// <summary>
    /// A user signed in by a token minted with the server's key, as a shop's backend does for its customers and the
    /// operator does for agents (reserved names cannot be claimed by /api/login).
    /// </summary>
    public async Task<TestUser> MintedUserAsync(string name, TimeSpan? lifetime = null)
    {
        var token = MintToken(name, lifetime ?? TimeSpan.FromHours(1));
        using var res = await Http.GetAsync("api/me?token=" + Uri.EscapeDataString(token));
        var json = await ReadJsonAsync(res, HttpStatusCode.OK);
        return new TestUser(this, json.GetProperty("user").GetString()!, token, json.GetProperty("cursor").GetInt64());
    }

    /// <summary>An HS256 token for <paramref name="sub"/> signed with <see cref="Key"/>, issued now on the server's clock.</summary>
    public string MintToken(string sub, TimeSpan lifetime) => MintToken(sub, Time.GetUtcNow(), lifetime);

    /// <summary>A token of exactly this header and payload JSON, signed with <see cref="Key"/> (for claims no JWT library writes).</summary>
    public static string MintRaw(string headerJson, string payloadJson)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signed = B64(System.Text.Encoding.UTF8.GetBytes(headerJson)) + "." + B64(System.Text.Encoding.UTF8.GetBytes(payloadJson));
        return signed + "." + B64(System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(Key), System.Text.Encoding.ASCII.GetBytes(signed)));
    }

    public static string MintToken(string sub, DateTimeOffset issuedAt, TimeSpan lifetime) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = sub },
            IssuedAt = issuedAt.UtcDateTime,
            Expires = (issuedAt + lifetime).UtcDateTime,
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Convert.FromBase64String(Key)), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });

    /// <summary>The setting that gives reserved name <paramref name="name"/> the password <paramref name="password"/>, as hash-password makes it.</summary>
    public static KeyValuePair<string, string?> PasswordSetting(string name, string password) =>
        new($"Chat:Auth:Passwords:{name}", CometChat.Core.PasswordHash.Create(password, 1000));

    public static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage res, HttpStatusCode expected)
    {
        var text = await res.Content.ReadAsStringAsync();
        if (res.StatusCode != expected) throw new ShouldAssertException($"Expected {(int)expected}, got {(int)res.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Unwraps <c>/**/cb(json);</c>, checking the exact JSONP shape.</summary>
    public static JsonElement ParseJsonp(string body, string callback)
    {
        var prefix = "/**/" + callback + "(";
        body.ShouldStartWith(prefix);
        body.ShouldEndWith(");");
        return JsonDocument.Parse(body[prefix.Length..^2]).RootElement.Clone();
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A token minted the way README tells a shop's backend to: HS256 over {sub, exp} with the server's key.</summary>
    public static string MintToken(string user, TimeSpan lifetime, string key = Key)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(System.Text.Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var exp = DateTimeOffset.UtcNow.Add(lifetime).ToUnixTimeSeconds();
        var payload = B64(System.Text.Encoding.UTF8.GetBytes($$"""{"sub":"{{user}}","exp":{{exp}}}"""));
        var signature = B64(System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(key), System.Text.Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CometChat.sln"))) return dir.FullName;
        throw new InvalidOperationException("CometChat.sln not found above the test binaries.");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        Http?.Dispose();
        if (_ownsDir) _dir.Dispose();
        if (_database is not null) await _database.DisposeAsync();
    }
}

/// <summary>A logged-in user and the calls tests make as them.</summary>
internal sealed record TestUser(ChatServer Server, string Name, string Token, long Cursor)
{
    public HttpRequestMessage Request(HttpMethod method, string url, HttpContent? content = null)
    {
        var req = new HttpRequestMessage(method, url) { Content = content };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return req;
    }

    public async Task<JsonElement> SendAsync(string to, string body, string? id = null, string? client = null)
    {
        var fields = new List<(string, string)> { ("to", to), ("body", body) };
        if (id is not null) fields.Add(("id", id));
        if (client is not null) fields.Add(("client", client));
        using var res = await Server.Http.SendAsync(Request(HttpMethod.Post, "api/messages", ChatServer.Form([.. fields])));
        return await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
    }

    public async Task<JsonElement> GetAsync(string url, HttpStatusCode expected = HttpStatusCode.OK, CancellationToken ct = default)
    {
        using var res = await Server.Http.SendAsync(Request(HttpMethod.Get, url), ct);
        return await ChatServer.ReadJsonAsync(res, expected);
    }

    public async Task<HttpResponseMessage> RawGetAsync(string url, CancellationToken ct = default) =>
        await Server.Http.SendAsync(Request(HttpMethod.Get, url), ct);

    public static long[] Mids(JsonElement page) =>
        [.. page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("mid").GetInt64())];
}
