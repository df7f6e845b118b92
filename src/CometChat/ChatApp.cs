using System.Net;
using CometChat.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CometChat;

/// <summary>Builds the whole server; Program.cs runs it and tests start it on port 0.</summary>
public static class ChatApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions();

        builder.Services.AddChat(builder.Configuration);
        builder.Services.AddSingleton<ChatListeners>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var listeners = kestrel.ApplicationServices.GetRequiredService<ChatListeners>();
            listeners.Http = Listen(kestrel, options.Http.Address, options.Http.Port, _ => { });
        });

        var app = builder.Build();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseApiHeaders();
        app.UseCors();
        var staticRoot = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, options.StaticRoot));
        if (Directory.Exists(staticRoot)) app.UseChatStaticFiles(staticRoot);
        app.MapChat();
        return app;
    }

    private static ListenOptions Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        ListenOptions? captured = null;
        void Capture(ListenOptions o) { captured = o; configure(o); }
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
