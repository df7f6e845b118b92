using System.Buffers;
using System.Text.Json;
using CometChat.Core;

namespace CometChat.Http;

/// <summary>
/// Every JSON answer of the API goes out here: plain JSON, JSONP (<c>/**/cb(json);</c>, always 200, the
/// error inside), or problem+json. Handlers return values; this decides the wire shape.
/// </summary>
internal static class ChatResponse
{
    public const string ProblemContentType = "application/problem+json";

    public static IResult Ok(ChatRequest req, Action<Utf8JsonWriter> write) => new JsonResult(req.Callback, write);

    /// <summary>A typed answer, serialised by its source-generated JSON contract.</summary>
    public static IResult Ok<T>(ChatRequest req, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        Ok(req, w => JsonSerializer.Serialize(w, value, info));

    public static IResult Page(ChatRequest req, FeedPage page) => Ok(req, w => WritePage(w, page, more: true));

    public static void WritePage(Utf8JsonWriter w, FeedPage page, bool more)
    {
        w.WriteStartObject();
        w.WriteStartArray("messages");
        foreach (var m in page.Messages) w.WriteRawValue(m.Json, skipInputValidation: true);
        w.WriteEndArray();
        if (page.Events is { Count: > 0 } events)
        {
            w.WriteStartArray("events");
            foreach (var e in events) w.WriteRawValue(e.Json, skipInputValidation: true);
            w.WriteEndArray();
        }
        w.WriteNumber("cursor", page.Cursor.Mid);
        if (more) w.WriteBoolean("more", page.More);
        if (page.Superseded) w.WriteBoolean("superseded", true);
        w.WriteEndObject();
    }

    public static Task WriteErrorAsync(HttpContext ctx, ChatError error, string? callback, int? retryAfter = null)
    {
        if (retryAfter is { } seconds) ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (callback is not null)
        {
            return WriteAsync(ctx, 200, callback, w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("error");
                w.WriteNumber("status", error.Status);
                w.WriteString("code", error.Code);
                w.WriteString("message", error.Detail);
                if (retryAfter is { } r) w.WriteNumber("retryAfter", r);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }
        return WriteAsync(ctx, error.Status, null, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "https://cometchat.dev/errors/" + error.Code);
            w.WriteString("title", error.Title);
            w.WriteNumber("status", error.Status);
            w.WriteString("detail", error.Detail);
            w.WriteString("code", error.Code);
            w.WriteEndObject();
        }, ProblemContentType);
    }

    public static async Task WriteAsync(HttpContext ctx, int status, string? callback, Action<Utf8JsonWriter> write, string contentType = "application/json; charset=utf-8")
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        if (callback is not null) buffer.Write(Jsonp.Prefix(callback));
        using (var w = new Utf8JsonWriter(buffer, MessageJson.WriterOptions)) write(w);
        if (callback is not null) buffer.Write(Jsonp.Suffix);

        var response = ctx.Response;
        response.StatusCode = status;
        response.ContentType = callback is null ? contentType : Jsonp.ContentType;
        if (callback is not null) response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
    }

    private sealed class JsonResult(string? callback, Action<Utf8JsonWriter> write) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, 200, callback, write);
    }
}
