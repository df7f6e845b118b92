using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CometChat.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace CometChat.Http;

/// <summary>
/// One API request's parameters, from the query and (for POST) a JSON, form or text/plain body, its
/// validated JSONP callback, and its token. Bound once per request by Minimal APIs.
/// </summary>
internal sealed class ChatRequest
{
    private readonly Dictionary<string, string?> _body;

    private ChatRequest(HttpContext context, Dictionary<string, string?> body, string? callback)
    {
        Context = context;
        _body = body;
        Callback = callback;
    }

    public HttpContext Context { get; }

    /// <summary>A valid JSONP callback on a GET, or null for a plain JSON answer.</summary>
    public string? Callback { get; }

    public CancellationToken Aborted => Context.RequestAborted;

    public static async ValueTask<ChatRequest?> BindAsync(HttpContext context, ParameterInfo _)
    {
        var callback = CallbackOf(context);
        CheckUrlLength(context);
        var body = HttpMethods.IsPost(context.Request.Method) ? await ReadBodyAsync(context.Request) : new(StringComparer.Ordinal);
        var request = new ChatRequest(context, body, callback);
        context.Items[typeof(ChatRequest)] = request;
        return request;
    }

    /// <summary>
    /// Old browsers cut URLs near 2,000 characters, so a longer GET (a JSONP send with a long body) is
    /// refused as too large rather than half-delivered; POST has no such limit.
    /// </summary>
    private static void CheckUrlLength(HttpContext context)
    {
        var max = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChatOptions>>().Value.Limits.MaxUrlChars;
        var length = (context.Request.Path.Value?.Length ?? 0) + (context.Request.QueryString.Value?.Length ?? 0);
        if (length > max)
            throw new ChatException(ChatError.TooLarge($"The URL is {length} characters; the limit is {max}. Send long messages with POST /api/messages."));
    }

    /// <summary>The JSONP callback of a GET; throws <see cref="InvalidCallbackException"/> for an unacceptable one.</summary>
    public static string? CallbackOf(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !context.Request.Query.TryGetValue("callback", out var values)) return null;
        if (values.Count != 1) throw new InvalidCallbackException("'callback' is given more than once.");
        var problem = Jsonp.Problem(values[0]);
        if (problem is not null) throw new InvalidCallbackException(problem);
        return values[0];
    }

    /// <summary>A parameter from the body, else the query; a parameter given twice is a 400 naming it.</summary>
    public string? Get(string name)
    {
        if (_body.TryGetValue(name, out var v)) return v;
        var q = Context.Request.Query[name];
        return q.Count switch
        {
            0 => null,
            1 => q[0],
            _ => throw new ChatException(ChatError.BadRequest($"'{name}' is given more than once.")),
        };
    }

    public string Require(string name) =>
        Get(name) is { Length: > 0 } v ? v : throw new ChatException(ChatError.BadRequest($"'{name}' is required."));

    /// <summary>The authenticated user: Bearer header, else <c>token</c> in the query or body. Never a cookie.</summary>
    public async Task<string> UserAsync() => (await TokenAsync()).User;

    /// <summary>
    /// The request's validated token. The request is held under it until it ends, so revoking the token (logout,
    /// password change, deletion) aborts it: a parked poll, a stream or a WebSocket does not outlive its token.
    /// </summary>
    public async Task<AuthenticatedToken> TokenAsync()
    {
        if (Token is { } done) return done;
        var token = TokenOf();
        if (string.IsNullOrEmpty(token)) throw new ChatException(ChatError.Unauthorized("A token is required: 'Authorization: Bearer <token>' or 'token='."));
        var authenticated = await Context.RequestServices.GetRequiredService<Accounts>().AuthenticateAsync(token);
        Holder = Context.RequestServices.GetRequiredService<TokenHolders>().Track(authenticated.User, authenticated.Hash, Context.Abort);
        Context.Response.RegisterForDispose(Holder);
        Token = authenticated;
        return authenticated;
    }

    /// <summary>Set by <see cref="TokenAsync"/>.</summary>
    public AuthenticatedToken? Token { get; private set; }

    /// <summary>This request as a holder of its token (so a revocation it asks for can spare it).</summary>
    public TokenHolders.Holder? Holder { get; private set; }

    private string? TokenOf()
    {
        var auth = Context.Request.Headers.Authorization;
        if (auth.Count == 1 && auth[0] is { } h && h.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return h[7..].Trim();
        return Get("token");
    }

    private static async Task<Dictionary<string, string?>> ReadBodyAsync(HttpRequest request)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        var type = request.ContentType ?? "";
        string text;
        try
        {
            text = StrictUtf8.GetString(await ReadAllAsync(request));
        }
        catch (DecoderFallbackException)
        {
            throw new ChatException(ChatError.BadRequest("The request body is not valid UTF-8."));
        }
        if (text.Length == 0) return result;

        // IE8/9 XDomainRequest can only send text/plain, so a text/plain body may hold JSON or a form.
        var isJson = type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || (!type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) && text.TrimStart().StartsWith('{'));
        if (isJson) ParseJson(text, result);
        else foreach (var (key, value) in QueryHelpers.ParseQuery(text)) result[key] = Single(key, value);
        return result;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

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

    private static void ParseJson(string text, Dictionary<string, string?> result)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ChatException(ChatError.BadRequest("The JSON body must be an object of parameters."));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                result[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Number => p.Value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null => null,
                    _ => throw new ChatException(ChatError.BadRequest($"'{p.Name}' must be a string or a number.")),
                };
            }
        }
        catch (JsonException e)
        {
            throw new ChatException(ChatError.BadRequest($"The JSON body is malformed: {e.Message}"));
        }
    }

    private static string? Single(string key, StringValues values) =>
        values.Count <= 1 ? values.ToString() : throw new ChatException(ChatError.BadRequest($"'{key}' is given more than once."));
}

/// <summary>An unacceptable JSONP callback: answered 400 in plain text, the callback never echoed.</summary>
internal sealed class InvalidCallbackException(string detail) : Exception(detail);
