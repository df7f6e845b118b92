using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

internal static class ReceiptEndpoints
{
    public static IEndpointRouteBuilder MapReceipts(this IEndpointRouteBuilder api)
    {
        api.MapPost("/api/receipts", Acknowledge);
        api.MapGet("/api/receipt", Acknowledge); // for JSONP clients
        api.MapPost("/api/typing", TypingEvent);
        api.MapGet("/api/typing", TypingEvent);
        return api;
    }

    private static async Task<Ok<SendAnswer>> Acknowledge(ChatUser user, ChatParameters p, Receipts receipts) =>
        TypedResults.Ok(SendAnswer.Of(await receipts.AcknowledgeAsync(user, QueryLimits.OptionalLong(p, "ref"), p.Get("state"), QueryLimits.Client(p))));

    private static async Task<Ok<OkAnswer>> TypingEvent(ChatUser user, ChatParameters p, Typing typing)
    {
        await typing.PublishAsync(user, p.Get("to"), p.Aborted);
        return TypedResults.Ok(new OkAnswer());
    }
}
