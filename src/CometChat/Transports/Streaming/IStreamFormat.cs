using System.Buffers;
using CometChat.Core;

namespace CometChat.Transports.Streaming;

/// <summary>One wire format of /api/stream or /api/events: only the bytes differ, the loop is <see cref="StreamLoop"/>'s.</summary>
internal interface IStreamFormat
{
    string ContentType { get; }

    /// <summary>The first bytes (padding, <c>retry:</c>, a first heartbeat): something must go out at once.</summary>
    void WriteStart(IBufferWriter<byte> w, Cursor cursor);

    void WriteMessage(IBufferWriter<byte> w, Message m);

    void WriteEvent(IBufferWriter<byte> w, ChatEvent e);

    void WriteHeartbeat(IBufferWriter<byte> w, Cursor cursor);

    /// <summary>The clean end after Chat:Stream:MaxSeconds or at shutdown; the client reconnects from its cursor.</summary>
    void WriteEnd(IBufferWriter<byte> w, Cursor cursor);
}

internal static class StreamBytes
{
    public static void Write(this IBufferWriter<byte> w, string ascii)
    {
        var span = w.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(ascii.Length));
        var n = System.Text.Encoding.UTF8.GetBytes(ascii, span);
        w.Advance(n);
    }

    /// <summary><c>{"kind":"heartbeat","cursor":N}</c>: where the stream stands, for clients that resume from it.</summary>
    public static void WriteHeartbeatJson(this IBufferWriter<byte> w, Cursor cursor) =>
        w.Write("{\"kind\":\"heartbeat\",\"cursor\":" + cursor + "}");
}
