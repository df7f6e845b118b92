using System.Buffers;
using CometChat.Core;

namespace CometChat.Transports.Streaming;

/// <summary>
/// /api/events, Server-Sent Events: <c>retry:</c> and <c>id: cursor</c> first (so an EventSource that reconnects
/// before any message resumes from where it started, not from a newer head), then <c>id: mid</c> / <c>event: message</c> /
/// <c>data: json</c> per message, <c>event: typing</c> (no id, so Last-Event-ID stays a real mid) per
/// typing event, and <c>: ping</c> comments as heartbeats. Message JSON holds no raw line break (CR, LF,
/// U+2028 are escaped), so a body cannot end its data field.
/// </summary>
internal sealed class SseFormat : IStreamFormat
{
    public const int RetryMilliseconds = 3000;
    public static readonly SseFormat Instance = new();

    public string ContentType => "text/event-stream; charset=utf-8";

    public void WriteStart(IBufferWriter<byte> w, Cursor cursor) => w.Write($"retry: {RetryMilliseconds}\nid: {cursor}\n\n");

    public void WriteMessage(IBufferWriter<byte> w, Message m)
    {
        w.Write($"id: {m.Mid}\nevent: message\ndata: ");
        w.Write(m.Json);
        w.Write("\n\n");
    }

    public void WriteEvent(IBufferWriter<byte> w, ChatEvent e)
    {
        w.Write($"event: {e.Kind}\ndata: ");
        w.Write(e.Json);
        w.Write("\n\n");
    }

    public void WriteHeartbeat(IBufferWriter<byte> w, Cursor cursor) => w.Write(": ping\n\n");

    // EventSource reconnects by itself, sending the last id as Last-Event-ID.
    public void WriteEnd(IBufferWriter<byte> w, Cursor cursor) => w.Write(": end\n\n");
}
