using System.Security.Cryptography;

namespace CometChat.Http;

/// <summary>
/// The headers of every HTML page the server sends, in one place: the chat page (static HTML) may be framed by
/// no site and loads scripts and connects only to its own origin; the forever frame may be framed by the chat
/// page's origin only and runs only its own inline scripts (a per-response nonce). X-Frame-Options says the
/// same for browsers without CSP frame-ancestors (IE8-11).
/// </summary>
internal static class HtmlPolicy
{
    /// <summary>The chat page and any other static HTML.</summary>
    public static void Page(HttpContext ctx)
    {
        var host = ctx.Request.Host.Value;
        // 'self' covers ws: and wss: only in CSP 3 browsers; older ones need the WebSocket origin spelled out.
        var sockets = host is not null && SafeHost(host) ? $" ws://{host} wss://{host}" : "";
        var headers = ctx.Response.Headers;
        headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            $"connect-src 'self'{sockets}; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
    }

    /// <summary>
    /// The forever frame (<c>/api/stream?format=html</c>) and its error page; answers the nonce its scripts must carry
    /// (one per response: set again after an error handler cleared the headers, the same nonce).
    /// </summary>
    public static string Frame(HttpContext ctx)
    {
        if (ctx.Items[typeof(HtmlPolicy)] is not string nonce) ctx.Items[typeof(HtmlPolicy)] = nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var headers = ctx.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; script-src 'nonce-{nonce}'; frame-ancestors 'self'; base-uri 'none'";
        headers.XFrameOptions = "SAMEORIGIN";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        return nonce;
    }

    // A Host header is the client's own (Kestrel refuses control characters); still, only a plain host[:port] goes into a policy.
    private static bool SafeHost(string host) =>
        host.Length <= 255 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']');
}
