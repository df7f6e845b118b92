using System.Security.Cryptography;
using System.Text;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>
/// The real CometChat on 127.0.0.1 over a temp SQLite file, in real time (browsers cannot follow a
/// fake clock). The port is picked once and kept across restarts, so pages reconnect to the same URL.
/// </summary>
internal sealed class ChatHost : IAsyncDisposable
{
    public const string Key = "YnJvd3Nlci10ZXN0LWtleS10aGF0LWlzLWF0LWxlYXN0LTMyLWJ5dGVzIQ==";
    public const string Agent = "agent_ann";
    public const string SecondAgent = "agent_zed";
    private Dictionary<string, string?> _settings = [];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cometchat-browser", Guid.NewGuid().ToString("n"));
    private WebApplication? _app;
    private int _port;

    public Uri Url { get; private set; } = null!;

    /// <summary>The server as the other origin's pages name it: no trailing slash.</summary>
    public string Origin => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>Starts the server with the browser suite's defaults and <paramref name="settings"/> over them.</summary>
    public static async Task<ChatHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var host = new ChatHost { _settings = settings ?? [] };
        Directory.CreateDirectory(host._dir);
        await host.StartAppAsync();
        return host;
    }

    private async Task StartAppAsync()
    {
        var config = new Dictionary<string, string?>
        {
            ["Chat:Database"] = Path.Combine(_dir, "chat.db"),
            ["Chat:Http:Address"] = "127.0.0.1",
            ["Chat:Http:Port"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Chat:Socket:Enabled"] = "false",
            ["Chat:Auth:Key"] = Key,
            ["Chat:Auth:HashIterations"] = "1000",
            ["Chat:StaticRoot"] = Path.Combine(Paths.RepoRoot, "static"),
            ["Chat:Support:Agents:0"] = Agent,
            // An agent's name is reserved: it signs in only with the password the operator configured (README).
            [$"Chat:Auth:Passwords:{Agent}"] = CometChat.Core.PasswordHash.Create("pw-" + Agent, 1000),
            ["Chat:Presence:GraceSeconds"] = "2",
        };
        foreach (var (k, v) in _settings) config[k] = v;
        _app = ChatApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // Open streams and sockets must not hold a restart for the default 30 s.
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        });
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _port = _app.Services.GetRequiredService<ChatListeners>().Http!.IPEndPoint!.Port;
        Url = new Uri($"http://127.0.0.1:{_port}/");
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        _app = null;
    }

    public Task StartAgainAsync() => StartAppAsync();

    /// <summary>A token minted the way README tells a shop's backend to: HS256 over {sub, exp} with Chat:Auth:Key.</summary>
    public static string MintToken(string user, TimeSpan lifetime) => MintToken(user, lifetime, null);

    /// <summary>The same, with a <c>ctx</c> claim of site-verified fields given as raw JSON.</summary>
    public static string MintToken(string user, TimeSpan lifetime, string? ctxJson)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var exp = DateTimeOffset.UtcNow.Add(lifetime).ToUnixTimeSeconds();
        var payload = B64(Encoding.UTF8.GetBytes($$"""{"sub":"{{user}}","exp":{{exp}}{{(ctxJson is null ? "" : ",\"ctx\":" + ctxJson)}}}"""));
        var signature = B64(HMACSHA256.HashData(Convert.FromBase64String(Key), Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}

internal static class Paths
{
    public static string RepoRoot { get; } = Find();

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots")).FullName;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CometChat.sln"))) return dir.FullName;
        throw new InvalidOperationException("CometChat.sln not found above the test binaries.");
    }
}
