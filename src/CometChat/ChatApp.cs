using System.Net;
using CometChat.Core;
using CometChat.Http;
using CometChat.Logging;
using CometChat.Transports.Socket;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;

namespace CometChat;

/// <summary>Builds the whole server; Program.cs runs it and tests start it on port 0.</summary>
public static class ChatApp
{
    /// <summary>
    /// Serves until shutdown (exit code 0). A start that fails for a reason the operator can fix (a port in use, a
    /// bad setting) is told in one line naming the setting, and exits with 2; anything else is thrown.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try { app = Build(args); }
        catch (Exception e) when (StartupFailures.Settings(e) is { Count: > 0 } failures)
        {
            // No logger exists yet: the same lines the console log would print.
            foreach (var failure in failures) await Console.Out.WriteLineAsync("crit: CometChat[4]\n      Cannot start: " + failure);
            return 2;
        }
        await using (app)
        {
            try
            {
                using (app.Services.GetRequiredService<HostStartErrors>().Starting()) await app.StartAsync();
            }
            catch (Exception e) when (StartupFailures.Explain(app, e) is { } exitCode)
            {
                return exitCode;
            }
            await app.WaitForShutdownAsync();
            return 0;
        }
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Config reload-on-change would watch the content root, where the SQLite WAL changes on every commit.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false", .. args] });
        configure?.Invoke(builder);
        var options = ChatOptions.From(builder.Configuration);

        builder.Services.AddChat(builder.Configuration);
        var listening = new ChatListeners();
        builder.Services.AddSingleton(listening);
        builder.Services.AddHostedService<StartupBanner>();
        // The redacting console is the only log sink: the default EventSource and Debug providers would see secrets in URLs.
        builder.Logging.ClearProviders().AddConsole()
            .AddConsoleFormatter<RedactingConsoleFormatter, ConsoleFormatterOptions>();
        // After configuration binding, so Logging:Console:FormatterName cannot swap in an unredacted format.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = RedactingConsoleFormatter.FormatterName);
        // Levels appsettings.json sets, also without it (a server started from another folder): the banner says where the
        // server listens (the host's "Now listening on" lines would name the TCP socket http://), and request lines
        // would bury what an operator acts on. Set as configuration, so the Hosting.Diagnostics switch below sees them.
        foreach (var category in (string[])["Microsoft.Hosting.Lifetime", "Microsoft.AspNetCore"])
            builder.Configuration["Logging:LogLevel:" + category] ??= nameof(LogLevel.Warning);
        var hostStartErrors = new HostStartErrors();
        builder.Services.AddSingleton(hostStartErrors);
        builder.Logging.AddFilter(HostStartErrors.Category, level => level >= LogLevel.Information && hostStartErrors.Allows(level));
        (var httpUrls, listening.HttpSetting) = HttpUrls.Of(builder.Configuration, options.Http);
        // While this category is enabled at all, hosting gives every request an Activity and a log scope per logger
        // provider (about 500 bytes held by each parked poll, and their CPU on every request), even when its request
        // lines (Information) are filtered out. So unless configuration asks for those lines, it is switched off.
        if (ConfiguredLevel(builder.Configuration, "Microsoft.AspNetCore.Hosting.Diagnostics") > LogLevel.Information)
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // Bound below; left in the configuration they would only make Kestrel warn that it overrides them.
        builder.Configuration[WebHostDefaults.ServerUrlsKey] = null;
        builder.Configuration[WebHostDefaults.HttpPortsKey] = null;
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var limits = options.Limits;
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.MaxUpgradedConnections;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            // Slowloris: headers must arrive within this, and bodies at Kestrel's minimum data rate.
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
            // A connection that sends nothing at all is timed by the keep-alive timeout (130 s by default), not the one above.
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveSeconds);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(limits.MinBodyBytesPerSecond, TimeSpan.FromSeconds(limits.BodyRateGraceSeconds));

            // Kestrel drops the platform's URLs as soon as one listener is explicit (the TCP socket is), so they
            // are bound here, the way Kestrel would bind them.
            var connectionLimits = kestrel.ApplicationServices.GetRequiredService<ChatLimits>();
            var proxies = kestrel.ApplicationServices.GetRequiredService<TrustedProxies>();
            var listeners = listening;
            foreach (var (host, port) in httpUrls)
                listeners.AllHttp.Add(Listen(kestrel, host, port,
                    o => o.Use(next => connection => ConnectionRefusals.LimitAsync(connectionLimits, proxies, socket: false, next, connection))));
            if (options.Socket.Enabled)
                listeners.Socket = Listen(kestrel, options.Socket.Address, options.Socket.Port, o =>
                {
                    o.Use(next => connection => ConnectionRefusals.LimitAsync(connectionLimits, proxies, socket: true, next, connection));
                    o.UseConnectionHandler<SocketConnectionHandler>();
                });
        });

        var app = builder.Build();
        app.Services.GetRequiredService<ChatMetrics>(); // publish the meter from the start
        var proxies = app.Services.GetRequiredService<TrustedProxies>();
        if (proxies.Any) app.UseForwardedHeaders(proxies.Options()); // before anything reads the client's address
        // Headers first (they are set as the answer starts, so no later path can drop them), then errors.
        app.UseCors();
        app.UseApiHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseJsonpCallbacks();
        app.UseConnectionRefusals();
        // Protocol pings keep proxies from idling the socket out; a client that stops answering them is aborted.
        var heartbeat = TimeSpan.FromSeconds(options.HeartbeatSeconds);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = heartbeat, KeepAliveTimeout = heartbeat });
        var staticRoot = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, options.StaticRoot));
        if (Directory.Exists(staticRoot)) app.UseChatStaticFiles(staticRoot);
        app.UseChatTokens();
        app.MapChat();
        return app;
    }

    /// <summary>The Logging:LogLevel rule that applies to <paramref name="category"/> (its longest configured prefix).</summary>
    private static LogLevel ConfiguredLevel(IConfiguration config, string category)
    {
        for (var name = category; name.Length > 0; name = name.Contains('.') ? name[..name.LastIndexOf('.')] : "")
            if (Enum.TryParse<LogLevel>(config["Logging:LogLevel:" + name], out var level)) return level;
        return Enum.TryParse<LogLevel>(config["Logging:LogLevel:Default"], out var fallback) ? fallback : LogLevel.Information;
    }

    private static ListenOptions Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        ListenOptions? captured = null;
        void Capture(ListenOptions o)
        {
            captured = o;
            configure(o);
        }
        if (address is "localhost" && port != 0) kestrel.ListenLocalhost(port, Capture);
        else if (address is "*" or "+" or "0.0.0.0" or "any" or "[::]" or "::") kestrel.ListenAnyIP(port, Capture);
        else kestrel.Listen(address is "localhost" ? IPAddress.Loopback : IPAddress.Parse(address.Trim('[', ']')), port, Capture);
        return captured!;
    }
}

/// <summary>The bound endpoints, so tests started on port 0 can find them.</summary>
internal sealed class ChatListeners
{
    /// <summary>The setting that chose the HTTP listeners: Chat:Http:Port, urls or ASPNETCORE_HTTP_PORTS.</summary>
    public string HttpSetting { get; set; } = "Chat:Http:Port";

    public List<ListenOptions> AllHttp { get; } = [];
    public ListenOptions? Http => AllHttp.Count > 0 ? AllHttp[0] : null;
    public ListenOptions? Socket { get; set; }
}

/// <summary>
/// Where HTTP listens, by the platform's conventions first: <c>--urls</c> or <c>ASPNETCORE_URLS</c>, else
/// <c>ASPNETCORE_HTTP_PORTS</c> (every interface; what container images set), else Chat:Http:Address and Port.
/// </summary>
internal static class HttpUrls
{
    public static (List<(string Host, int Port)> Urls, string Setting) Of(IConfiguration config, ChatOptions.HttpSection fallback)
    {
        if (config[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls)
            return ([.. Split(urls).Select(Parse)], "urls (--urls, ASPNETCORE_URLS)");
        if (config[WebHostDefaults.HttpPortsKey] is { Length: > 0 } ports)
            return ([.. Split(ports).Select(p => ("*", PortOf(p, WebHostDefaults.HttpPortsKey)))], "ASPNETCORE_HTTP_PORTS");
        return ([(fallback.Address, fallback.Port)], "Chat:Http:Port");
    }

    private static string[] Split(string list) => list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (string, int) Parse(string url)
    {
        var address = BindingAddress.Parse(url);
        if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"urls: '{url}' is not http://; put TLS in a reverse proxy in front (README, Deployment notes).");
        return (address.Host, address.Port);
    }

    private static int PortOf(string value, string key) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new InvalidOperationException($"{key}: '{value}' is not a port number.");
}
