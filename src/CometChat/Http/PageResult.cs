using System.Buffers;
using System.Buffers.Text;
using System.Reflection;
using CometChat.Core;
using Microsoft.AspNetCore.Http.Metadata;

namespace CometChat.Http;

/// <summary>
/// The answer of every poll (<c>{"messages":[...],"events":[...],"cursor":N,"more":b,"superseded":true}</c>, or
/// its JSONP form), written by hand on purpose: it is the one answer on the hot path of every delivery, and each
/// message's JSON is already encoded once (<see cref="Message.Json"/>) and shared by every reader, so the page is
/// those bytes copied straight into the response with a few literal bytes around them: no serializer, no
/// intermediate buffer. Every other answer goes through <see cref="ChatResponse"/>. OpenAPI documents it as
/// <see cref="PageAnswer"/>, and a unit test keeps these bytes equal to that record's serialisation.
/// </summary>
internal sealed class PageResult(FeedPage page) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => 200;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(200, typeof(PageAnswer), ["application/json"]));

    public Task ExecuteAsync(HttpContext ctx)
    {
        var callback = Jsonp.CallbackOf(ctx);
        Span<byte> cursor = stackalloc byte[20];
        Utf8Formatter.TryFormat(page.Cursor.Mid, cursor, out var cursorLength);
        cursor = cursor[..cursorLength];
        var prefix = callback is null ? null : Jsonp.Prefix(callback);

        long length = "{\"messages\":[".Length + Items(page.Messages.Count) + "],\"cursor\":".Length + cursor.Length
            + (page.More ? ",\"more\":true}" : ",\"more\":false}").Length;
        foreach (var m in page.Messages) length += m.Json.Length;
        if (page.Events is { Count: > 0 } events)
        {
            length += "],\"events\":[".Length + Items(events.Count);
            foreach (var e in events) length += e.Json.Length;
        }
        if (page.Superseded) length += ",\"superseded\":true".Length;
        if (prefix is not null) length += prefix.Length + Jsonp.Suffix.Length;

        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = prefix is null ? "application/json; charset=utf-8" : Jsonp.ContentType;
        if (prefix is not null) response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = length;

        var w = response.BodyWriter;
        if (prefix is not null) w.Write(prefix);
        w.Write("{\"messages\":["u8);
        for (var i = 0; i < page.Messages.Count; i++)
        {
            if (i > 0) w.Write(","u8);
            w.Write(page.Messages[i].Json);
        }
        if (page.Events is { Count: > 0 } list)
        {
            w.Write("],\"events\":["u8);
            for (var i = 0; i < list.Count; i++)
            {
                if (i > 0) w.Write(","u8);
                w.Write(list[i].Json);
            }
        }
        w.Write("],\"cursor\":"u8);
        w.Write(cursor);
        w.Write(page.More ? ",\"more\":true"u8 : ",\"more\":false"u8);
        if (page.Superseded) w.Write(",\"superseded\":true"u8);
        w.Write("}"u8);
        if (prefix is not null) w.Write(Jsonp.Suffix);
        var flush = w.FlushAsync(ctx.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    private static int Items(int count) => Math.Max(0, count - 1); // the commas between them
}
