using System.Buffers;
using CometChat.Core;

namespace CometChat.Transports.Streaming;

/// <summary>
/// <c>format=multipart</c>: <c>multipart/x-mixed-replace</c>, one <c>application/json</c> part per message,
/// event or heartbeat. Each part is followed at once by the next boundary, because multipart readers
/// hand a part over only when they see the boundary after it. Message JSON never holds a raw CR or LF,
/// so no body can contain the CRLF-led delimiter.
/// </summary>
internal sealed class MultipartFormat : IStreamFormat
{
    public const string Boundary = "cometchat";
    private const string PartHead = "Content-Type: application/json\r\n\r\n";
    private const string PartTail = "\r\n--" + Boundary + "\r\n";

    public string ContentType => "multipart/x-mixed-replace; boundary=" + Boundary;

    /// <summary>The opening boundary and a first heartbeat part: the client knows its starting cursor at once.</summary>
    public void WriteStart(IBufferWriter<byte> w, Cursor cursor)
    {
        w.Write("--" + Boundary + "\r\n");
        WriteHeartbeat(w, cursor);
    }

    public void WriteMessage(IBufferWriter<byte> w, Message m) => Part(w, m.Json);

    public void WriteEvent(IBufferWriter<byte> w, ChatEvent e) => Part(w, e.Json);

    public void WriteHeartbeat(IBufferWriter<byte> w, Cursor cursor)
    {
        w.Write(PartHead);
        w.WriteHeartbeatJson(cursor);
        w.Write(PartTail);
    }

    public void WriteEnd(IBufferWriter<byte> w, Cursor cursor)
    {
        // The last boundary already opened a part: fill it with the final cursor and close the multipart body.
        w.Write(PartHead);
        w.WriteHeartbeatJson(cursor);
        w.Write("\r\n--" + Boundary + "--\r\n");
    }

    private static void Part(IBufferWriter<byte> w, byte[] json)
    {
        w.Write(PartHead);
        w.Write(json);
        w.Write(PartTail);
    }
}
