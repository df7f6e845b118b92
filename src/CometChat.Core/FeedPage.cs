namespace CometChat.Core;

/// <summary>What every feed read returns: messages after the old cursor, the next cursor, and whether more are waiting.</summary>
internal sealed record FeedPage(IReadOnlyList<Message> Messages, Cursor Cursor, bool More, IReadOnlyList<ChatEvent>? Events = null)
{
    /// <summary>True when a newer poll of the same user took this poll's place (Chat:MaxParkedPerUser).</summary>
    public bool Superseded { get; init; }

    public static FeedPage Empty(Cursor cursor) => new([], cursor, false);
}

/// <summary>
/// An ephemeral event: never stored, no mid, only for connections open now. <see cref="Json"/> is its wire
/// shape (always with <c>kind</c>); <see cref="Summary"/> the human line of the text stream format.
/// </summary>
internal sealed class ChatEvent(string kind, byte[] json, string summary)
{
    public string Kind { get; } = kind;
    public byte[] Json { get; } = json;
    public string Summary { get; } = summary;

    /// <summary><c>{"kind":"typing","from","to"}</c></summary>
    public static ChatEvent Typing(string from, string to) =>
        new("typing", Write(w => { w.WriteString("kind", "typing"); w.WriteString("from", from); w.WriteString("to", to); }), $"{from} is typing to {to}");

    /// <summary>A queued customer's place (API.md §7): <c>{"kind":"queue","sid","position","estimatedWaitSeconds"?}</c>.</summary>
    public static ChatEvent Queue(long sid, int position, long? estimatedWaitSeconds) =>
        new("queue", Write(w =>
        {
            w.WriteString("kind", "queue");
            w.WriteNumber("sid", sid);
            w.WriteNumber("position", position);
            if (estimatedWaitSeconds is { } s) w.WriteNumber("estimatedWaitSeconds", s);
        }), $"support session {sid} is number {position} in the queue" + (estimatedWaitSeconds is { } e ? $", about {e} s to wait" : ""));

    /// <summary>To agents, when the queue changed: <c>{"kind":"desk","queued":N}</c>, so consoles refresh it.</summary>
    public static ChatEvent Desk(int queued) =>
        new("desk", Write(w => { w.WriteString("kind", "desk"); w.WriteNumber("queued", queued); }), $"{queued} waiting in the support queue");

    private static byte[] Write(Action<System.Text.Json.Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, MessageJson.WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
