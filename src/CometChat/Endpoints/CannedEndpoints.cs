using CometChat.Core;
using CometChat.Http;

namespace CometChat.Endpoints;

/// <summary>The desk's shared canned responses (API.md §7): listed, saved and deleted by agents; every change answers the list.</summary>
internal static class CannedEndpoints
{
    public static RouteGroupBuilder MapCanned(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/support/canned");
        api.MapGet("", List);
        api.MapPost("", Save);
        api.MapGet("/save", Save); // ?shortcut=&body=, for JSONP clients
        api.MapDelete("/{shortcut}", Delete);
        api.MapGet("/delete", Delete); // ?shortcut=
        return api;
    }

    private static async Task<IResult> List(ChatRequest req, DeskReads reads) =>
        ChatResponse.Ok(req, await reads.CannedAsync(await req.UserAsync(), req.Aborted), DeskJson.Default.CannedListView);

    private static async Task<IResult> Save(ChatRequest req, SupportDesk desk, DeskReads reads)
    {
        var user = await req.UserAsync();
        await desk.SaveCannedAsync(user, req.Get("shortcut"), req.Get("body"));
        return await List(req, reads);
    }

    private static async Task<IResult> Delete(ChatRequest req, SupportDesk desk, DeskReads reads)
    {
        var user = await req.UserAsync();
        await desk.DeleteCannedAsync(user, req.Context.Request.RouteValues["shortcut"] as string ?? req.Get("shortcut"));
        return await List(req, reads);
    }
}
