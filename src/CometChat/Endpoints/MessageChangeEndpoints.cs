using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CometChat.Endpoints;

/// <summary>Recall and edit (API.md §8); each answers like a send: the <c>recall</c> or <c>edit</c> message stored.</summary>
internal static class MessageChangeEndpoints
{
    public static IEndpointRouteBuilder MapMessageChanges(this IEndpointRouteBuilder api)
    {
        api.MapPost("/api/messages/{mid}/recall", Recall);
        api.MapGet("/api/recall", Recall); // ?mid=, for JSONP clients
        api.MapPost("/api/messages/{mid}/edit", Edit);
        api.MapGet("/api/edit", Edit);
        return api;
    }

    private static async Task<Ok<SendAnswer>> Recall(ChatUser user, ChatParameters p, MessageChanges changes) =>
        TypedResults.Ok(SendAnswer.Of(await changes.RecallAsync(user, QueryLimits.OptionalLong(p.RouteOrGet("mid"), "mid"), QueryLimits.Client(p))));

    private static async Task<Ok<SendAnswer>> Edit(ChatUser user, ChatParameters p, MessageChanges changes) =>
        TypedResults.Ok(SendAnswer.Of(await changes.EditAsync(user, QueryLimits.OptionalLong(p.RouteOrGet("mid"), "mid"), p.Get("body"), p.Get("id"), QueryLimits.Client(p))));
}
