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
/// <see cref="PageAnswer"/> (PageJsonTests holds the two equal).
/// </summary>
internal sealed class PageResult(FeedPage page) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => 200;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(200, typeof(PageAnswer), ["application/json"]));

    public Task ExecuteAsync(HttpContext ctx)
    {
        var callback = Jsonp.CallbackOf(ctx);
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = callback is null ? "application/json; charset=utf-8" : Jsonp.ContentType;
        if (callback is not null) response.Headers.XContentTypeOptions = "nosniff";
        // Before the first byte: Kestrel starts the response (headers frozen) on the first write.
        response.ContentLength = Length(page, callback);
        Write(response.BodyWriter, page, callback);
        var flush = response.BodyWriter.FlushAsync(ctx.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    /// <summary>The bytes <see cref="Write"/> writes.</summary>
    public static long Length(FeedPage page, string? callback)
    {
        long length = "{\"messages\":[],\"cursor\":".Length + Digits(page.Cursor.Mid) + (page.More ? ",\"more\":true}" : ",\"more\":false}").Length;
        foreach (var m in page.Messages) length += m.Json.Length + 1;
        if (page.Messages.Count > 0) length--; // commas between
        if (page.Events is { Count: > 0 } events)
        {
            length += "],\"events\":[".Length + events.Count - 1;
            foreach (var e in events) length += e.Json.Length;
        }
        if (page.Superseded) length += ",\"superseded\":true".Length;
        if (callback is not null) length += "/**/".Length + callback.Length + "(".Length + Jsonp.Suffix.Length;
        return length;
    }

    private static int Digits(long n)
    {
        var digits = 1;
        for (; n >= 10; n /= 10) digits++;
        return digits;
    }

    /// <summary>Writes the page (JSONP around it when <paramref name="callback"/> is given); the bytes written.</summary>
    public static long Write(IBufferWriter<byte> w, FeedPage page, string? callback)
    {
        Span<byte> cursor = stackalloc byte[20];
        Utf8Formatter.TryFormat(page.Cursor.Mid, cursor, out var cursorLength);
        var length = 0L;
        void Put(ReadOnlySpan<byte> bytes)
        {
            w.Write(bytes);
            length += bytes.Length;
        }

        var prefix = callback is null ? null : Jsonp.Prefix(callback);
        if (prefix is not null) Put(prefix);
        Put("{\"messages\":["u8);
        for (var i = 0; i < page.Messages.Count; i++)
        {
            if (i > 0) Put(","u8);
            Put(page.Messages[i].Json);
        }
        if (page.Events is { Count: > 0 } events)
        {
            Put("],\"events\":["u8);
            for (var i = 0; i < events.Count; i++)
            {
                if (i > 0) Put(","u8);
                Put(events[i].Json);
            }
        }
        Put("],\"cursor\":"u8);
        Put(cursor[..cursorLength]);
        Put(page.More ? ",\"more\":true"u8 : ",\"more\":false"u8);
        if (page.Superseded) Put(",\"superseded\":true"u8);
        Put("}"u8);
        if (prefix is not null) Put(Jsonp.Suffix);
        return length;
    }
}
