using System.Net;
using System.Text;
using CometChat.Core;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace CometChat.Http;

/// <summary>
/// The per-address connection limits (<see cref="ChatLimits.OpenConnection"/>), answered where it is cheap: a refused
/// HTTP connection gets one <c>429</c> with <c>Retry-After</c> (in-band for JSONP, with the CORS and no-store headers
/// every API answer has) and is closed; a refused TCP socket gets an <c>ERR</c> line and is closed; only a flood
/// beyond the refusal budget is dropped unanswered. Connections from trusted proxies are not limited here.
/// </summary>
internal static class ConnectionRefusals
{
    private const string RefusedKey = "cometchat.refused";

    /// <summary>Kestrel connection middleware, first on every listener.</summary>
    public static async Task LimitAsync(ChatLimits limits, TrustedProxies proxies, bool socket, ConnectionDelegate next, ConnectionContext connection)
    {
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (remote is not null && proxies.Contains(remote))
        {
            await next(connection);
            return;
        }
        var ip = remote?.ToString() ?? "unknown";
        var admission = limits.OpenConnection(ip);
        if (admission.Admitted)
        {
            try { await next(connection); }
            finally { limits.CloseConnection(ip); }
            return;
        }
        if (!admission.Answered)
        {
            connection.Abort(new ConnectionAbortedException("Too many connections from this address."));
            return;
        }
        if (socket)
        {
            var line = $"ERR rate_limited: too many connections from your address; retry after {admission.RetryAfterSeconds} s\n";
            await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(line));
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
            return;
        }
        connection.Items[RefusedKey] = admission.RetryAfterSeconds;
        await next(connection); // its first request is answered 429 below, and the connection closes
    }

    /// <summary>
    /// HTTP middleware, after the headers, the error handler and the JSONP callback: a refused connection's request
    /// gets its 429 (through the one error writer, so JSONP has it in-band) and nothing else, and the connection closes.
    /// </summary>
    public static IApplicationBuilder UseConnectionRefusals(this IApplicationBuilder app) => app.Use((ctx, next) =>
    {
        if (ctx.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(RefusedKey, out var value) != true || value is not int retry)
            return next(ctx);
        ctx.Response.OnStarting(() =>
        {
            ctx.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        });
        throw new ChatException(ChatError.RateLimited($"Too many connections from your address; retry after {retry} s.")) { RetryAfterSeconds = retry };
    });
}
