namespace CometChat.Core;

/// <summary>What every feed read returns: messages after the old cursor, the next cursor, and whether more are waiting.</summary>
internal sealed record FeedPage(IReadOnlyList<Message> Messages, Cursor Cursor, bool More, IReadOnlyList<ChatEvent>? Events = null)
{
    /// <summary>True when a newer poll of the same user took this poll's place (Chat:MaxParkedPerUser).</summary>
    public bool Superseded { get; init; }

    public static FeedPage Empty(Cursor cursor) => new([], cursor, false);
}

/// <summary>An ephemeral event (typing): never stored, no mid, only for connections open now.</summary>
internal sealed record ChatEvent(string Kind, string From, string To)
{
    private byte[]? _json;

    public byte[] Json => _json ??= Serialize();

    private byte[] Serialize()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, MessageJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("kind", Kind);
            w.WriteString("from", From);
            w.WriteString("to", To);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
