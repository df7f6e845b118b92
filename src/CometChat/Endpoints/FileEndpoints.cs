using System.Text.Json.Serialization;
using CometChat.Core;
using CometChat.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CometChat.Endpoints;

/// <summary>
/// Files and images (API.md §8): upload by <c>multipart/form-data</c> (field <c>file</c>; the token in the header or
/// the query, since the body is streamed, not read as parameters), answered as JSON or, with <c>callback</c>, as an
/// <see cref="UploadFrame"/> page; download for whoever may read a message carrying the file.
/// </summary>
internal static class FileEndpoints
{
    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder api)
    {
        api.MapPost("/api/files", Upload).Produces<FileAnswer>();
        api.MapGet("/api/files/{id}", Download);
        return api;
    }

    private static async Task<IResult> Upload(ChatUser user, HttpContext ctx, ChatFiles files)
    {
        if (UploadFrame.Problem(ctx) is { } problem) return Results.Text("Bad request: " + problem + "\n", "text/plain; charset=utf-8", statusCode: 400);
        // The whole API takes small bodies (Chat:Limits:MaxRequestBodyBytes); an upload may be as large as a file.
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = files.MaxBytes + 64 * 1024;
        var boundary = MediaTypeHeaderValue.TryParse(ctx.Request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value : null;
        if (string.IsNullOrEmpty(boundary))
            throw new ChatException(ChatError.BadRequest("'file' is required: POST it as multipart/form-data in a field named 'file'."));
        var reader = new MultipartReader(boundary, ctx.Request.Body);
        while (await reader.ReadNextSectionAsync(ctx.RequestAborted) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.IsFileDisposition() || !string.Equals(disposition.Name.Value?.Trim('"'), "file", StringComparison.Ordinal))
                continue;
            var content = await ReadAtMostAsync(section.Body, files.MaxBytes, ctx.RequestAborted) ?? throw files.TooLarge();
            var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
            var stored = await files.StoreAsync(user, name, content);
            var answer = new FileAnswer(new WireFile(stored.Id, stored.Name, stored.Size, stored.Type));
            return UploadFrame.CallbackOf(ctx) is { } callback ? new FrameResult(callback, ChatJson.Serialize(answer)) : TypedResults.Ok(answer);
        }
        throw new ChatException(ChatError.BadRequest("'file' is required: POST it as multipart/form-data in a field named 'file'."));
    }

    /// <summary>The section's bytes, or null as soon as there are more than <paramref name="max"/> (nothing more is read).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadAtMostAsync(Stream body, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > max) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private sealed class FrameResult(string callback, byte[] json) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => UploadFrame.WriteAsync(httpContext, callback, json);
    }

    private static async Task<IResult> Download(ChatUser user, ChatParameters p, ChatFiles files)
    {
        var id = ChatFiles.CheckId(p.RouteOrGet("id") ?? "");
        var (file, content) = await files.OpenAsync(user, id, p.Aborted);
        var inline = FileTypes.IsInlineImage(file.Type);
        var headers = p.Context.Response.Headers;
        // Whatever the bytes are, no browser may sniff them into HTML or run anything they hold.
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "sandbox";
        var disposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment");
        disposition.SetHttpFileName(file.Name);
        headers.ContentDisposition = disposition.ToString();
        return Results.Bytes(content, file.Type == FileTypes.Text ? "text/plain; charset=utf-8" : file.Type);
    }
}

/// <summary>An upload: <c>{"file":{"id","name","size","type"}}</c>; send it with <c>POST /api/messages</c> <c>file=&lt;id&gt;</c>.</summary>
internal sealed record FileAnswer([property: JsonPropertyName("file")] WireFile File);
