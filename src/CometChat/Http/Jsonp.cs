using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CometChat.Http;

/// <summary>
/// The JSONP rules of API.md §1 in one place: which callbacks are acceptable (checked before any work, by
/// <see cref="UseJsonpCallbacks"/>), the exact body shape, and the filter that turns a typed answer into
/// <c>/**/cb(json);</c> with status 200. An invalid callback is never echoed anywhere.
/// </summary>
internal static partial class Jsonp
{
    public const int MaxLength = 64;
    public const string ContentType = "application/javascript; charset=utf-8";

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
        "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in",
        "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public", "return",
        "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
        "yield", "await", "arguments", "eval", "undefined", "NaN", "Infinity",
    };

    // \z, not $: '$' also matches before a final newline, and 'cb\n' must not pass.
    [GeneratedRegex(@"\A[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex CallbackPattern();

    /// <summary>Null when <paramref name="callback"/> is acceptable, else why not (without quoting it).</summary>
    public static string? Problem(string? callback)
    {
        if (string.IsNullOrEmpty(callback)) return "'callback' must not be empty.";
        if (callback.Length > MaxLength) return $"'callback' is longer than {MaxLength} characters.";
        if (!CallbackPattern().IsMatch(callback)) return "'callback' must be a JavaScript identifier path like 'cb' or 'app.receive'.";
        foreach (var part in callback.Split('.'))
            if (Reserved.Contains(part)) return "'callback' must not use a JavaScript reserved word.";
        return null;
    }

    /// <summary>
    /// Null when <paramref name="callback"/> may name the callback of an HTML frame the server answers (the forever
    /// frame, an upload's answer page), else why not. Such a frame is a page on the chat origin calling
    /// <c>parent.CALLBACK(...)</c>, so a path through <c>opener</c>, <c>top</c> or <c>document</c> would let any site
    /// that opens it click the chat page's own DOM (same-origin method execution).
    /// Allowed: one identifier under <c>parent</c>, or a path under the library's own <c>CometChat</c> /
    /// <c>cometchat</c> objects (the contract's default is <c>cometchat.receive</c>).
    /// </summary>
    public static string? FrameProblem(string callback)
    {
        var root = callback.Split('.')[0];
        return callback.Contains('.') && root is not ("CometChat" or "cometchat")
            ? "'callback' of an HTML frame (forever frame, upload answer) must be one identifier (called on parent), or a path under CometChat or cometchat."
            : null;
    }

    /// <summary>The validated callback of this request, or null for a plain JSON answer.</summary>
    public static string? CallbackOf(HttpContext context) => context.Features.Get<Callback>()?.Name;

    private sealed record Callback(string Name);

    /// <summary>
    /// Validates <c>callback</c> on every GET and HEAD of the API before anything else runs: an unacceptable one
    /// is a plain-text 400 that never echoes it (a hostile page must not get script back).
    /// </summary>
    public static IApplicationBuilder UseJsonpCallbacks(this IApplicationBuilder app) => app.Use((ctx, next) =>
    {
        var request = ctx.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) || !ApiPaths.Contains(request.Path)
            || !request.Query.TryGetValue("callback", out var values)) return next(ctx);
        var problem = values.Count != 1 ? "'callback' is given more than once." : Problem(values[0])
            ?? (Transports.Streaming.ForeverFrameFormat.IsRequestedBy(ctx) ? FrameProblem(values[0]!) : null);
        if (problem is null)
        {
            ctx.Features.Set(new Callback(values[0]!));
            return next(ctx);
        }
        ctx.Response.StatusCode = 400;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        return ctx.Response.WriteAsync("Bad request: " + problem + "\n");
    });

    /// <summary>
    /// On a group: a GET with a callback gets its typed answer (any <see cref="IValueHttpResult"/>, e.g.
    /// <c>Ok&lt;T&gt;</c>) as JSONP; everything else passes through untouched. A handler whose answer is not a typed value
    /// (the hand-written pages, which write JSONP themselves; the streams) gets no filter at all, so the poll hot
    /// path pays nothing for it.
    /// </summary>
    public static TBuilder WithJsonp<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var answer = factory.MethodInfo.ReturnType;
            if (answer.IsGenericType && answer.GetGenericTypeDefinition() is var open && (open == typeof(Task<>) || open == typeof(ValueTask<>)))
                answer = answer.GetGenericArguments()[0];
            if (!typeof(IValueHttpResult).IsAssignableFrom(answer)) return next;
            return async invocation =>
            {
                var result = await next(invocation);
                return CallbackOf(invocation.HttpContext) is { } callback && result is IValueHttpResult { Value: { } value }
                    ? new JsonpResult(callback, value)
                    : result;
            };
        });

    private sealed class JsonpResult(string callback, object value) : IResult
    {
        public Task ExecuteAsync(HttpContext ctx)
        {
            var options = ctx.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var json = JsonSerializer.SerializeToUtf8Bytes(value, options.GetTypeInfo(value.GetType()));
            return WriteAsync(ctx, callback, json);
        }
    }

    /// <summary><c>/**/callback(json);</c> as application/javascript with nosniff, status 200 (a script tag cannot read a status).</summary>
    public static Task WriteAsync(HttpContext ctx, string callback, ReadOnlySpan<byte> json)
    {
        var prefix = Prefix(callback);
        var body = new byte[prefix.Length + json.Length + Suffix.Length];
        prefix.CopyTo(body, 0);
        json.CopyTo(body.AsSpan(prefix.Length));
        Suffix.CopyTo(body.AsSpan(prefix.Length + json.Length));
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = ContentType;
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, ctx.RequestAborted).AsTask();
    }

    public static byte[] Prefix(string callback) => System.Text.Encoding.ASCII.GetBytes("/**/" + callback + "(");

    public static ReadOnlySpan<byte> Suffix => ");"u8;
}
