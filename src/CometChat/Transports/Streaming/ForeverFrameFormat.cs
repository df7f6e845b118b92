using System.Buffers;
using CometChat.Core;
using CometChat.Http;

namespace CometChat.Transports.Streaming;

/// <summary>
/// <c>format=html</c>, the forever frame for old IE: an HTML page in a hidden iframe that never ends,
/// one <c>&lt;script&gt;parent.CALLBACK(message);&lt;/script&gt;</c> per message or typing event. Message
/// JSON escapes &lt; &gt; &amp; and U+2028/2029, so no body can close the script or break the JS string.
/// Heartbeats are HTML comments, so the callback only ever sees messages and events. An iframe can neither
/// read a status nor run a JSONP body, so a refused request is a page calling the callback with the error. Each
/// script carries the response's CSP nonce (<see cref="HtmlPolicy.Frame"/>): no other script can run in the frame.
/// </summary>
internal sealed class ForeverFrameFormat(string callback, string nonce) : IStreamFormat
{
    public const string DefaultCallback = "cometchat.receive";

    // IE renders (and runs scripts of) a streamed page only after its first kilobytes.
    private static readonly string Padding = "<!--" + new string(' ', 2048) + "-->\n";

    public string ContentType => "text/html; charset=utf-8";

    /// <summary>The callback of this request (validated by <see cref="Jsonp"/>), or the default.</summary>
    public static string CallbackOf(HttpContext ctx) => Jsonp.CallbackOf(ctx) ?? DefaultCallback;

    /// <summary>True for <c>GET /api/stream?format=html</c>: its errors must be a page, not JSON.</summary>
    public static bool IsRequestedBy(HttpContext ctx) =>
        ctx.Request.Path.Equals("/api/stream", StringComparison.Ordinal) && ctx.Request.Query["format"] == "html";

    public static async Task WriteErrorPageAsync(HttpContext ctx, MappedError error)
    {
        var page = new ArrayBufferWriter<byte>(256);
        page.Write("<!DOCTYPE html>\n<html><body><script nonce=\"" + HtmlPolicy.Frame(ctx) + "\">parent." + CallbackOf(ctx) + "(");
        page.Write(ChatJson.Serialize(error.Answer));
        page.Write(");</script></body></html>\n");
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = page.WrittenCount;
        await response.Body.WriteAsync(page.WrittenMemory, ctx.RequestAborted);
    }

    public void WriteStart(IBufferWriter<byte> w, Cursor cursor) =>
        w.Write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cometchat</title></head><body>\n" + Padding + $"<!-- heartbeat {cursor} -->\n");

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
