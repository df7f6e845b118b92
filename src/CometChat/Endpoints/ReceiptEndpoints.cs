using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

internal static class ReceiptEndpoints
{
    public static RouteGroupBuilder MapReceipts(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/receipts", Acknowledge);
        api.MapGet("/receipt", Acknowledge); // for JSONP clients
        api.MapPost("/typing", TypingEvent);
        api.MapGet("/typing", TypingEvent);
        return api;
    }

    private static async Task<IResult> Acknowledge(ChatRequest req, Receipts receipts)
    {
        var user = await req.UserAsync();
        var result = await receipts.AcknowledgeAsync(user, QueryLimits.OptionalLong(req, "ref"), req.Get("state"), QueryLimits.Client(req));
        return ChatResponse.Ok(req, w => MessageEndpoints.WriteSendResult(w, result));
    }

    private static async Task<IResult> TypingEvent(ChatRequest req, Typing typing)
    {
        var user = await req.UserAsync();
        await typing.PublishAsync(user, req.Get("to"), req.Aborted);
        return ChatResponse.Ok(req, w => { w.WriteStartObject(); w.WriteBoolean("ok", true); w.WriteEndObject(); });
    }
}
