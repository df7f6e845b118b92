using System.Buffers;
using System.Reflection;
using System.Text;
using CometChat.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace CometChat.Http;

/// <summary>
/// One API request's parameters: the query, and for a POST (or any method with a body) a JSON, form or
/// text/plain body holding either (IE8/9 XDomainRequest can only send text/plain). Read once per request and
/// shared by token authentication and the handler. A name given twice, in the query or the body, or once in
/// each, is a 400 naming it: on every endpoint the same rule, so no client can wonder which one won.
/// </summary>
internal sealed class ChatParameters
{
    private static readonly Dictionary<string, string?> NoBody = new(StringComparer.Ordinal);
    private readonly IQueryCollection _query;
    private readonly Dictionary<string, string?> _body;

    private ChatParameters(HttpContext context, Dictionary<string, string?> body)
    {
        Context = context;
        _query = context.Request.Query;
        _body = body;
    }

    public HttpContext Context { get; }

    public CancellationToken Aborted => Context.RequestAborted;

    public static ValueTask<ChatParameters?> BindAsync(HttpContext context, ParameterInfo _) => ReadAsync(context)!;

    /// <summary>
    /// The request's parameters, read on first use and kept (a failure too: the body can be read only once, so
    /// a malformed one must fail the same way for whoever asks next).
    /// </summary>
    public static async ValueTask<ChatParameters> ReadAsync(HttpContext context)
    {
        if (context.Features.Get<Cached>() is { } cached) return cached.Parameters ?? throw cached.Failure!;
        try
        {
            CheckUrlLength(context);
            var parameters = new ChatParameters(context, HasBody(context.Request) ? await ReadBodyAsync(context.Request) : NoBody);
            context.Features.Set(new Cached(parameters, null));
            return parameters;
        }
        catch (Exception e) when (e is ChatException or BadHttpRequestException)
        {
            context.Features.Set(new Cached(null, e));
            throw;
        }
    }

    private sealed record Cached(ChatParameters? Parameters, Exception? Failure);

    /// <summary>The parameter, or null when absent; a 400 naming it when it is given more than once.</summary>
    public string? Get(string name)
    {
        var query = _query[name];
        if (query.Count > 1) throw new ChatException(ChatError.BadRequest($"'{name}' is given more than once."));
        if (_body.TryGetValue(name, out var value))
        {
            if (query.Count == 1) throw new ChatException(ChatError.BadRequest($"'{name}' is given both in the query and in the body; give it once."));
            return value;
        }
        return query.Count == 1 ? query[0] : null;
    }

    public string Require(string name) =>
        Get(name) is { Length: > 0 } v ? v : throw new ChatException(ChatError.BadRequest($"'{name}' is required."));

    /// <summary>A route value (<c>/api/rooms/{room}</c>) or, for the JSONP twin without it, the parameter of that name.</summary>
    public string? RouteOrGet(string name) => Context.Request.RouteValues[name] as string ?? Get(name);

    /// <summary>
    /// Old browsers cut URLs near 2,000 characters, so a longer one (a JSONP send with a long body) is refused as
    /// too large rather than half-delivered; POST bodies have no such limit.
    /// </summary>
    private static void CheckUrlLength(HttpContext context)
    {
        var max = context.RequestServices.GetRequiredService<IOptions<ChatOptions>>().Value.Limits.MaxUrlChars;
        var length = (context.Request.Path.Value?.Length ?? 0) + (context.Request.QueryString.Value?.Length ?? 0);
        if (length > max)
            throw new ChatException(ChatError.TooLarge($"The URL is {length} characters; the limit is {max}. Send long messages with POST /api/messages."));
    }

    private static bool HasBody(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        // A multipart upload (a file) is the endpoint's to read as it streams in, not a bag of parameters.
        && !(request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) ?? false);

    private static async Task<Dictionary<string, string?>> ReadBodyAsync(HttpRequest request)
    {
        var bytes = await ReadAllAsync(request);
        if (bytes.Length == 0) return NoBody;
        var type = request.ContentType ?? "";
        // IE8/9 XDomainRequest can only send text/plain, so a text/plain body may hold JSON or a form.
        var isJson = type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || (!type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) && FirstNonSpace(bytes) == '{');
        if (isJson) return JsonParameters.Parse(bytes, "request body");

        string text;
        try { text = StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw new ChatException(ChatError.BadRequest("The request body is not valid UTF-8.")); }
        var form = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, values) in QueryHelpers.ParseQuery(text))
            form[key] = values.Count <= 1 ? values.ToString() : throw new ChatException(ChatError.BadRequest($"'{key}' is given more than once."));
        return form;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static byte FirstNonSpace(byte[] bytes)
    {
        foreach (var b in bytes) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return b;
        return 0;
    }

    /// <summary>The whole body (Kestrel already caps its size) straight from the request pipe, without a StreamReader's buffers.</summary>
    private static async Task<byte[]> ReadAllAsync(HttpRequest request)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(request.HttpContext.RequestAborted);
            if (result.IsCompleted || result.IsCanceled)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
