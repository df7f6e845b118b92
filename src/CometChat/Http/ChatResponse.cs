using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using CometChat.Core;
using Microsoft.AspNetCore.Http.Metadata;

namespace CometChat.Http;

/// <summary>
/// Pages of messages (/api/poll, /api/messages, /api/history), written by hand with a Utf8JsonWriter over each
/// message's pre-encoded JSON. This is the poll hot path, kept lean on purpose: a woken poll copies bytes
/// serialised once per message and shared by every recipient, instead of serialising records per request (W3
/// measures it). <see cref="PageAnswer"/> and <see cref="HistoryAnswer"/> document the same shapes for OpenAPI,
/// and a unit test keeps the hand-written bytes equal to them.
/// </summary>
internal static class ChatResponse
{
    /// <summary>A feed page (every poll's answer): hand-written bytes, see <see cref="PageResult"/>.</summary>
    public static PageResult Page(FeedPage page) => new(page);

    public static RawJson<HistoryAnswer> History(HistoryPage page) => new(w =>
    {
        w.WriteStartObject();
        WriteMessages(w, page.Messages);
        w.WriteBoolean("more", page.More);
        if (page.More) w.WriteNumber("before", page.Before!.Value); // absent when there is no older page
        if (page.Receipts is { Count: > 0 } receipts)
        {
            w.WriteStartObject("receipts");
            foreach (var (mid, state) in receipts.OrderBy(r => r.Key))
                w.WriteString(mid.ToString(System.Globalization.CultureInfo.InvariantCulture), state);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    public static RawJson<SearchAnswer> Search(SearchPage page) => new(w =>
    {
        w.WriteStartObject();
        WriteMessages(w, page.Messages);
        w.WriteBoolean("more", page.More);
        if (page.Before is { } before) w.WriteNumber("before", before);
        w.WriteEndObject();
    });

    public static RawJson<ConversationsAnswer> Conversations(ConversationPage page) => new(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("conversations");
        foreach (var c in page.Conversations)
        {
            w.WriteStartObject();
            w.WriteString("with", c.With);
            w.WriteString("kind", c.Kind);
            if (c.Last is { } last)
            {
                w.WritePropertyName("last");
                w.WriteRawValue(last.Json, skipInputValidation: true);
            }
            w.WriteNumber("unread", c.Unread);
            w.WriteNumber("readUpTo", c.ReadUpTo);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("more", page.More);
        if (page.Before is { } before) w.WriteNumber("before", before);
        w.WriteEndObject();
    });

    /// <summary>
    /// A support desk answer (API.md §7), serialised by the desk's own source-generated contract, which its webhook
    /// bodies share (<see cref="DeskJson"/>: messages written as their stored JSON, absent fields left out).
    /// </summary>
    public static RawJson<T> Desk<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        new(w => JsonSerializer.Serialize(w, value, info));

    private static void WriteMessages(Utf8JsonWriter w, IReadOnlyList<Message> messages)
    {
        w.WriteStartArray("messages");
        foreach (var m in messages) w.WriteRawValue(m.Json, skipInputValidation: true);
        w.WriteEndArray();
    }

    /// <summary>JSON, or JSONP when the GET has a callback, from <paramref name="write"/>, with a Content-Length.</summary>
    public static Task WriteAsync(HttpContext ctx, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, MessageJson.WriterOptions)) write(w);
        if (Jsonp.CallbackOf(ctx) is { } callback) return Jsonp.WriteAsync(ctx, callback, buffer.WrittenSpan);
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted).AsTask();
    }
}

/// <summary>A 200 answer written by hand (see <see cref="ChatResponse"/>); OpenAPI documents it as <typeparamref name="TShape"/>.</summary>
internal sealed class RawJson<TShape>(Action<Utf8JsonWriter> write) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => 200;

    public Task ExecuteAsync(HttpContext httpContext) => ChatResponse.WriteAsync(httpContext, write);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(200, typeof(TShape), ["application/json"]));
}

/// <summary>
/// A feed page: <c>messages</c> after the cursor (mid order), ephemeral <c>events</c> (typing) when there are any,
/// the next <c>cursor</c>, <c>more</c> when the batch was capped, <c>superseded</c> when a newer poll took this one's place.
/// </summary>
internal sealed record PageAnswer(
    IReadOnlyList<WireMessage> Messages,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WireEvent>? Events,
    long Cursor,
    bool More,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Superseded);

/// <summary>
/// A page of one conversation, ascending; <c>before</c> (only when <c>more</c>) asks for the next older page;
/// <c>receipts</c> (when any) maps the mid of each of the caller's own messages that was acknowledged to
/// <c>delivered</c> or <c>read</c>, so a client starting from history shows the real marks.
/// </summary>
internal sealed record HistoryAnswer(
    IReadOnlyList<WireMessage> Messages,
    bool More,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Before,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Receipts = null);

/// <summary>
/// A message as every wire carries it (API.md §2), written once per message by <see cref="MessageJson"/>: <c>mid</c>
/// the cursor, <c>id</c> the sender's idempotency key, <c>sentAt</c> epoch ms; <c>ref</c> (receipts, read markers,
/// recalls, edits) and <c>sid</c> (support) when set; <c>recalled</c> on a recalled message (its body empty),
/// <c>editedAt</c> (epoch ms) on an edited one, <c>file</c> on a file message.
/// </summary>
internal sealed record WireMessage(
    long Mid, string Id, string From, string To, string Kind, string Body, long SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Ref,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Recalled = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EditedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WireFile? File = null);

/// <summary>A file: its <c>id</c> (for <c>GET /api/files/{id}</c>), cleaned <c>name</c>, <c>size</c> in bytes, <c>type</c> detected from its content.</summary>
internal sealed record WireFile(string Id, string Name, long Size, string Type);

/// <summary>Search results, newest first; <c>before</c> (only when <c>more</c>) asks for the next older page.</summary>
internal sealed record SearchAnswer(
    IReadOnlyList<WireMessage> Messages,
    bool More,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Before);

/// <summary>The caller's conversations, most recent first; <c>before</c> (only when <c>more</c>) asks for the next page.</summary>
internal sealed record ConversationsAnswer(
    IReadOnlyList<ConversationAnswer> Conversations,
    bool More,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Before);

/// <summary>
/// One conversation: <c>with</c> (a user, <c>#room</c>, <c>@support</c>, or for an agent the customer), <c>kind</c>
/// (<c>user</c>, <c>room</c>, <c>support</c>), its <c>last</c> message, <c>unread</c> text and file messages after
/// <c>readUpTo</c> (counted up to 1000).
/// </summary>
internal sealed record ConversationAnswer(
    string With,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WireMessage? Last,
    int Unread,
    long ReadUpTo);

/// <summary>
/// An ephemeral event (no mid, never stored): <c>{"kind":"typing","from","to"}</c>; a queued customer's
/// <c>{"kind":"queue","sid","position","estimatedWaitSeconds"?}</c>; an agent's <c>{"kind":"desk","queued"}</c> (API.md §7).
/// </summary>
internal sealed record WireEvent(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? From = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? To = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sid = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Position = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EstimatedWaitSeconds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Queued = null);
