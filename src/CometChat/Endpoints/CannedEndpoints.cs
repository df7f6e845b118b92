using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>The desk's shared canned responses (API.md §7): listed, saved and deleted by agents; every change answers the list.</summary>
internal static class CannedEndpoints
{
    public static IEndpointRouteBuilder MapCanned(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/support/canned", List);
        api.MapPost("/api/support/canned", Save);
        api.MapGet("/api/support/canned/save", Save); // ?shortcut=&body=, for JSONP clients
        api.MapDelete("/api/support/canned/{shortcut}", Delete);
        api.MapGet("/api/support/canned/delete", Delete); // ?shortcut=
        return api;
    }

    private static async Task<RawJson<CannedListView>> List(ChatUser user, ChatParameters p, DeskReads reads) =>
        ChatResponse.Desk(await reads.CannedAsync(user, p.Aborted), DeskJson.Default.CannedListView);

    private static async Task<RawJson<CannedListView>> Save(ChatUser user, ChatParameters p, SupportDesk desk, DeskReads reads)
    {
        await desk.SaveCannedAsync(user, p.Get("shortcut"), p.Get("body"));
        return await List(user, p, reads);
    }

    private static async Task<RawJson<CannedListView>> Delete(ChatUser user, ChatParameters p, SupportDesk desk, DeskReads reads)
    {
        await desk.DeleteCannedAsync(user, p.Context.Request.RouteValues["shortcut"] as string ?? p.Get("shortcut"));
        return await List(user, p, reads);
    }
}
