using System.Net;
using CometChat.Http;
using CometChat.Core;
using CometChat.Logging;
using CometChat.Transports.Socket;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;

namespace CometChat;

/// <summary>Builds the whole server; Program.cs runs it and tests start it on port 0.</summary>
public static class ChatApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Config reload-on-change would watch the content root, where the SQLite WAL changes on every commit.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false", .. args] });
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions();

        builder.Services.AddChat(builder.Configuration);
        builder.Services.AddSingleton<ChatListeners>();
        // The redacting console is the only log sink: the default EventSource and Debug providers would see secrets in URLs.
        builder.Logging.ClearProviders().AddConsole()
            .AddConsoleFormatter<RedactingConsoleFormatter, ConsoleFormatterOptions>();
        // After configuration binding, so Logging:Console:FormatterName cannot swap in an unredacted format.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = RedactingConsoleFormatter.FormatterName);
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

            var connectionLimits = kestrel.ApplicationServices.GetRequiredService<ChatLimits>();
            var proxies = kestrel.ApplicationServices.GetRequiredService<TrustedProxies>();
            var listeners = kestrel.ApplicationServices.GetRequiredService<ChatListeners>();
            listeners.Http = Listen(kestrel, options.Http.Address, options.Http.Port,
                o => o.Use(next => connection => ConnectionRefusals.LimitAsync(connectionLimits, proxies, socket: false, next, connection)));
            if (options.Socket.Enabled)
                listeners.Socket = Listen(kestrel, options.Socket.Address, options.Socket.Port, o =>
                {
                    o.Use(next => connection => ConnectionRefusals.LimitAsync(connectionLimits, proxies, socket: true, next, connection));
                    o.UseConnectionHandler<SocketConnectionHandler>();
                });
        });

        var app = builder.Build();
        app.Services.GetRequiredService<ChatMetrics>(); // publish the meter from the start
        app.UseMiddleware<ErrorMiddleware>();
        var proxies = app.Services.GetRequiredService<TrustedProxies>();
        if (proxies.Any) app.UseForwardedHeaders(proxies.Options()); // before anything reads the client's address
        app.UseApiHeaders();
        app.UseCors();
        app.UseConnectionRefusals();
        // Protocol pings keep proxies from idling the socket out; a client that stops answering them is aborted.
        var heartbeat = TimeSpan.FromSeconds(options.HeartbeatSeconds);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = heartbeat, KeepAliveTimeout = heartbeat });
        var staticRoot = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, options.StaticRoot));
        if (Directory.Exists(staticRoot)) app.UseChatStaticFiles(staticRoot);
        app.MapChat();
        return app;
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
        else if (address is "*" or "0.0.0.0" or "any") kestrel.ListenAnyIP(port, Capture);
        else kestrel.Listen(address is "localhost" ? IPAddress.Loopback : IPAddress.Parse(address), port, Capture);
        return captured!;
    }
}

/// <summary>The bound endpoints, so tests started on port 0 can find them.</summary>
internal sealed class ChatListeners
{
    public ListenOptions? Http { get; set; }
    public ListenOptions? Socket { get; set; }
}
