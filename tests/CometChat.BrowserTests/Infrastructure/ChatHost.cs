using CometChat.Tests.Infrastructure;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>
/// The shared test server (<see cref="ChatServer"/>) as browsers need it: real time (browsers cannot follow a
/// fake clock), no TCP socket, an agent, a short presence grace, and a quick shutdown so a restart under open
/// pages does not wait for their streams. The port is kept across restarts, so pages reconnect to the same URL.
/// </summary>
internal sealed class ChatHost : IAsyncDisposable
{
    public const string Agent = "agent_ann";
    private readonly ChatServer _server;

    private ChatHost(ChatServer server) => _server = server;

    public Uri Url => _server.BaseUri;

    /// <summary>The server as the other origin's pages name it: no trailing slash.</summary>
    public string Origin => Url.GetLeftPart(UriPartial.Authority);

    public static async Task<ChatHost> StartAsync() => new(await ChatServer.StartAsync(new()
    {
        ["Chat:Socket:Enabled"] = "false",
        ["Chat:Support:Agents:0"] = Agent,
        ["Chat:Presence:GraceSeconds"] = "2",
    }, time: TimeProvider.System, configure: b => b.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3))));

    public Task StopAsync() => _server.StopAppAsync();

    public Task StartAgainAsync() => _server.StartAgainAsync();

    /// <summary>A token minted the way README tells a shop's backend to, with the server's key.</summary>
    public static string MintToken(string user, TimeSpan lifetime) => ChatServer.MintToken(user, lifetime);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

internal static class Paths
{
    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots")).FullName;
}
