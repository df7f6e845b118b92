using CometChat.Endpoints;
using CometChat.Http;

namespace CometChat;

/// <summary>
/// Every endpoint of API.md §3, on two groups. The token group requires a valid token on every endpoint mapped
/// into it (declared once, here: a handler cannot forget it); the open group holds only what the contract
/// leaves open. Both answer JSONP for a GET with a callback, and HEAD on every GET.
/// </summary>
internal static class ChatEndpoints
{
    public static WebApplication MapChat(this WebApplication app)
    {
        var open = app.MapGroup("").WithJsonp().AnswerHead();
        open.MapLogin();
        open.MapHealth();
        open.MapMetrics();
        open.MapGuests(); // a visitor without an account has no token yet
        open.MapOpenApi(); // /openapi/v1.json, generated from the typed answers

        var api = app.MapGroup("").RequireChatToken().WithJsonp().AnswerHead();
        api.MapAuth();
        api.MapMessages();
        api.MapReceipts();
        api.MapTransports();
        api.MapStats();
        // Chat features (rooms, history, presence, support desk):
        api.MapFeatures();

        return app;
    }
}
