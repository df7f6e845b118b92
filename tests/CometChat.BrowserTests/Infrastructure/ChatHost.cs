using System.Security.Cryptography;
using System.Text;
using CometChat.Tests.Infrastructure;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>
/// The shared test server (<see cref="ChatServer"/>) as browsers need it: real time (browsers cannot follow a
/// fake clock), no TCP socket, an agent, a short presence grace, and a quick shutdown so a restart under open
/// pages does not wait for their streams. The port is kept across restarts, so pages reconnect to the same URL.
/// </summary>
internal sealed class ChatHost : IAsyncDisposable
{
    public const string Key = ChatServer.Key;
    public const string Agent = "agent_ann";
    public const string SecondAgent = "agent_zed";
    private readonly ChatServer _server;

    private ChatHost(ChatServer server) => _server = server;

    public Uri Url => _server.BaseUri;

    /// <summary>The server as the other origin's pages name it: no trailing slash.</summary>
    public string Origin => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>Starts the server with the browser suite's defaults and <paramref name="settings"/> over them.</summary>
    public static async Task<ChatHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Chat:Socket:Enabled"] = "false",
            ["Chat:Support:Agents:0"] = Agent,
            // An agent's name is reserved: it signs in only with the password the operator configured (README).
            [$"Chat:Auth:Passwords:{Agent}"] = CometChat.Core.PasswordHash.Create("pw-" + Agent, 1000),
            ["Chat:Presence:GraceSeconds"] = "2",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        return new(await ChatServer.StartAsync(all, time: TimeProvider.System,
            configure: b => b.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3))));
    }

    public Task StopAsync() => _server.StopAppAsync();

    public Task StartAgainAsync() => _server.StartAgainAsync();

    /// <summary>A token minted the way README tells a shop's backend to, with the server's key.</summary>
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

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

internal static class Paths
{
    public static string RepoRoot => ChatServer.RepoRoot;

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots")).FullName;
}
