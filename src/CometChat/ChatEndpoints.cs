using CometChat.Endpoints;

namespace CometChat;

/// <summary>Every endpoint group of API.md §3, mapped in one place.</summary>
internal static class ChatEndpoints
{
    public static WebApplication MapChat(this WebApplication app)
    {
        app.MapAuth();
        app.MapMessages();
        app.MapReceipts();
        app.MapTransports();
        app.MapOps();
        // Chat features (rooms, history, presence, support desk):
        app.MapFeatures();
        return app;
    }
}
