using System.Buffers;
using CometChat.Core;

namespace CometChat.Transports.Streaming;

/// <summary>
/// <c>format=html</c>, the forever frame for old IE: an HTML page in a hidden iframe that never ends,
/// one <c>&lt;script&gt;parent.CALLBACK(message);&lt;/script&gt;</c> per message or typing event. Message
/// JSON escapes &lt; &gt; &amp; and U+2028/2029, so no body can close the script or break the JS string.
/// Heartbeats are HTML comments, so the callback only ever sees messages and events. Each script carries the
/// response's CSP nonce (<see cref="Http.HtmlPolicy.Frame"/>): no other script can run in the frame.
/// </summary>
internal sealed class ForeverFrameFormat(string callback, string nonce) : IStreamFormat
{
    public const string DefaultCallback = "cometchat.receive";

    // IE renders (and runs scripts of) a streamed page only after its first kilobytes.
    private static readonly string Padding = "<!--" + new string(' ', 2048) + "-->\n";

    public string ContentType => "text/html; charset=utf-8";

    public void WriteStart(IBufferWriter<byte> w, Cursor cursor) =>
        w.Write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cometchat</title></head><body>\n" + Padding);

    public void WriteMessage(IBufferWriter<byte> w, Message m) => Script(w, m.Json);

    public void WriteEvent(IBufferWriter<byte> w, ChatEvent e) => Script(w, e.Json);

    public void WriteHeartbeat(IBufferWriter<byte> w, Cursor cursor) => w.Write($"<!-- heartbeat {cursor} -->\n");

    public void WriteEnd(IBufferWriter<byte> w, Cursor cursor) => w.Write("</body></html>\n");

    private void Script(IBufferWriter<byte> w, byte[] json)
    {
        w.Write("<script nonce=\"" + nonce + "\">parent." + callback + "(");
        w.Write(json);
        w.Write(");</script>\n");
    }
}
