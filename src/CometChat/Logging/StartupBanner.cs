using System.Data.Common;
using System.Net;
using System.Text;
using CometChat.Core;
using CometChat.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CometChat.Logging;

/// <summary>
/// What the operator reads when the server starts, each line true of this process: the chat page's URL, the
/// HTTP listeners (http://) and the raw TCP socket (tcp://, not HTTP), the database, the agents, and where
/// the signing key came from with its fingerprint and how to print it. It replaces the host's "Now listening
/// on" lines, which print the TCP socket as an http:// address. A line is also logged as shutdown begins.
/// </summary>
internal sealed partial class StartupBanner(
    IOptions<ChatOptions> options, IConfiguration config, IHostEnvironment environment, IHostApplicationLifetime lifetime,
    ChatListeners listeners, IServiceProvider services, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _log = loggers.CreateLogger("CometChat");
    private TokenService? _tokens;

    public Task StartAsync(CancellationToken ct)
    {
        // Before the server takes requests: a bad Chat:Auth:Key stops the start here, naming the setting.
        _tokens = services.GetRequiredService<TokenService>();
        lifetime.ApplicationStarted.Register(() => LogReady(_log, Text()));
        lifetime.ApplicationStopping.Register(() => LogStopping(_log));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>The banner's lines after its first, each "  name   value".</summary>
    public string Text()
    {
        var o = options.Value;
        var lines = new List<(string Name, string Value)>();
        var http = listeners.AllHttp.Select(Address).ToList();
        var staticRoot = Path.GetFullPath(Path.Combine(environment.ContentRootPath, o.StaticRoot));
        if (http.Count == 0) lines.Add(("chat page", "none (no HTTP listener)"));
        else if (Directory.Exists(staticRoot))
            lines.Add(("chat page", $"{PageUrl(http[0])}   (support console: {PageUrl(http[0])}agent.html; files from {staticRoot})"));
        else lines.Add(("chat page", $"not served: there is no folder {staticRoot} (Chat:StaticRoot, relative to the content root)"));
        foreach (var a in http)
            lines.Add(("HTTP", $"http://{a.Host}:{a.Port}   (API, polls, streams, SSE; WebSocket ws://{a.Host}:{a.Port}/ws){Everywhere(a)}"));
        lines.Add(("TCP socket", listeners.Socket is { } socket && Address(socket) is var s
            ? $"tcp://{s.Host}:{s.Port}   (raw JSON lines, not HTTP: AUTH <token> [since]){Everywhere(s)}"
            : "off (Chat:Socket:Enabled is false)"));
        lines.Add(("database", Database(o)));
        if (o.RedisBackplane) lines.Add(("backplane", $"Redis {RedactedConnection(config.GetConnectionString("Redis"), redis: true)} (key prefix {o.Redis.Prefix})"));
        lines.Add(("agents", o.Support.Agents.Length == 0
            ? "none (Chat:Support:Agents): messages to @support wait in the queue"
            : $"{string.Join(", ", o.Support.Agents)} ({o.Support.Routing} routing{(o.Support.Hours.Length > 0 ? $", open {o.Support.Hours} {o.Support.TimeZone}" : "")})"));
        lines.Add(("signing key", SigningKey()));
        if (!o.Limits.Enabled) lines.Add(("limits", "OFF (Chat:Limits:Enabled is false): no rate limits and no per-address connection caps"));
        if (!environment.IsProduction()) lines.Add(("environment", environment.EnvironmentName));

        var text = new StringBuilder("CometChat is serving; Ctrl+C stops it.");
        foreach (var (name, value) in lines)
            text.Append('\n').Append("  ").Append(name.PadRight(13)).Append(value.Replace("\n", "\n" + new string(' ', 15), StringComparison.Ordinal));
        return text.ToString();
    }

    private string SigningKey()
    {
        var tokens = _tokens ?? services.GetRequiredService<TokenService>();
        var print = $"\nsites that mint tokens need it; print it with: {KeyCommand.Invocation()} (and the same settings)";
        return tokens.KeySource switch
        {
            SigningKeySource.Configured => $"Chat:Auth:Key, fingerprint {tokens.Fingerprint}",
            SigningKeySource.GeneratedNow => $"generated now (Chat:Auth:Key is not set) and kept in the database, fingerprint {tokens.Fingerprint}{print}",
            _ => $"generated at an earlier start and kept in the database, fingerprint {tokens.Fingerprint}{print}",
        };
    }

    private string Database(ChatOptions o) => o.SharedStore
        ? $"PostgreSQL {RedactedConnection(config.GetConnectionString("Postgres"), redis: false)} (ConnectionStrings:Postgres)"
        : $"SQLite {services.GetRequiredService<SqliteDatabase>().Path}";

    /// <summary>Where a connection string points, without its password.</summary>
    private static string RedactedConnection(string? value, bool redis)
    {
        if (string.IsNullOrEmpty(value)) return "(not set)";
        if (redis) return value.Split(',')[0];
        var builder = new DbConnectionStringBuilder { ConnectionString = value };
        var kept = new[] { "Host", "Server", "Port", "Database", "Username", "User ID" }
            .Where(builder.ContainsKey).Select(k => $"{k}={builder[k]}");
        return string.Join(";", kept);
    }

    /// <summary>The host and port a listener is bound to, as a person types it: localhost stays localhost.</summary>
    private static (string Host, int Port, bool Any) Address(ListenOptions o)
    {
        var endpoint = o.IPEndPoint!;
        var shown = o.ToString() ?? ""; // http://localhost:5000 for ListenLocalhost, else the bound address
        if (shown.Contains("//localhost:", StringComparison.Ordinal)) return ("localhost", endpoint.Port, false);
        if (endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any)) return ("localhost", endpoint.Port, true);
        var host = endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        return (host, endpoint.Port, false);
    }

    private static string Everywhere((string Host, int Port, bool Any) a) => a.Any ? "; on every interface" : "";

    private static string PageUrl((string Host, int Port, bool Any) a) => $"http://{a.Host}:{a.Port}/";

    [LoggerMessage(1, LogLevel.Information, "{Banner}")]
    private static partial void LogReady(ILogger logger, string banner);

    [LoggerMessage(2, LogLevel.Information, "Shutting down: parked polls are answered now and streams end; clients resume from their cursors after the restart")]
    private static partial void LogStopping(ILogger logger);
}
