using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CometChat.Core;

namespace CometChat.Http;

/// <summary>
/// The answer to a file upload posted into a hidden iframe (browsers without XHR uploads; API.md §8): an HTML page
/// that hands the JSON answer, or the error, to the page that posted the form, with
/// <c>parent.postMessage("cometchat:" + callback + ":" + json, "*")</c> (IE8+, across origins: the embed widget) and
/// <c>parent.CALLBACK(json)</c> (when the parent is on this server's origin; elsewhere the browser refuses it). The
/// callback follows the JSONP rules and the frames' (<see cref="Jsonp.FrameProblem"/>: no path to another window or
/// the DOM). Status 200 always: a frame cannot read a status. Framing is not restricted: the widget's page on another
/// site frames it, and it shows nothing to click.
/// </summary>
internal static class UploadFrame
{
    /// <summary>The callback of an upload that asked for a frame answer; an invalid one was refused before any work.</summary>
    public static string? CallbackOf(HttpContext ctx) =>
        HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path.StartsWithSegments("/api/files")
        && ctx.Request.Query.TryGetValue("callback", out var v) && v.Count == 1 && Acceptable(v[0]) is null ? v[0] : null;

    /// <summary>Null when the request's callback (if any) is acceptable, else why not (never quoting it).</summary>
    public static string? Problem(HttpContext ctx) =>
        !ctx.Request.Query.TryGetValue("callback", out var v) ? null : v.Count != 1 ? "'callback' is given more than once." : Acceptable(v[0]);

    private static string? Acceptable(string? callback) => Jsonp.Problem(callback) ?? Jsonp.FrameProblem(callback!);

    public static Task WriteAsync(HttpContext ctx, string callback, ReadOnlySpan<byte> json)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var text = Encoding.UTF8.GetString(json);
        // The JSON is written with < > & and every non-ASCII character escaped, so neither copy can end the script.
        var literal = JsonSerializer.Serialize(text, MessageJsonOptions);
        var page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>upload</title></head><body><script nonce=\"" + nonce + "\">\n"
            + "try { parent.postMessage(\"cometchat:" + callback + ":\" + " + literal + ", \"*\"); } catch (e) {}\n"
            + "try { parent." + callback + "(" + text + "); } catch (e) {}\n"
            + "</script></body></html>\n";
        var bytes = Encoding.UTF8.GetBytes(page);
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = $"default-src 'none'; script-src 'nonce-{nonce}'; base-uri 'none'";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, ctx.RequestAborted).AsTask();
    }

    private static readonly JsonSerializerOptions MessageJsonOptions = new() { Encoder = MessageJson.WriterOptions.Encoder };
}
