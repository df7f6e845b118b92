using System.Buffers;
using CometChat.Core;

namespace CometChat.Transports.Streaming;

/// <summary>
/// <c>format=ndjson</c>, the default and the curl format: one JSON object per line. Messages as stored,
/// typing events as <c>{"kind":"typing",...}</c>, heartbeats as <c>{"kind":"heartbeat","cursor":N}</c>
/// (the first line is one too, so a client knows its starting cursor).
/// </summary>
internal sealed class NdjsonFormat : IStreamFormat
{
    public static readonly NdjsonFormat Instance = new();

    public string ContentType => "application/x-ndjson; charset=utf-8";

    public void WriteStart(IBufferWriter<byte> w, Cursor cursor) => WriteHeartbeat(w, cursor);

    public void WriteMessage(IBufferWriter<byte> w, Message m)
    {
        w.Write(m.Json);
        w.Write("\n");
    }

    public void WriteEvent(IBufferWriter<byte> w, ChatEvent e)
    {
        w.Write(e.Json);
        w.Write("\n");
    }

    public void WriteHeartbeat(IBufferWriter<byte> w, Cursor cursor)
    {
        w.WriteHeartbeatJson(cursor);
        w.Write("\n");
    }

    public void WriteEnd(IBufferWriter<byte> w, Cursor cursor) => WriteHeartbeat(w, cursor);
}
