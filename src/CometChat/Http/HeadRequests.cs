namespace CometChat.Http;

/// <summary>
/// HEAD on every GET endpoint (uptime monitors, <c>curl -I</c>): the same handler answers, Kestrel sends its
/// headers and drops the body, and the transports that would wait (long poll, streams) answer at once.
/// </summary>
internal static class HeadRequests
{
    public static TBuilder AnswerHead<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            // Routing matches on the last method metadata, so this one widens GET to GET and HEAD.
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
                && methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
                endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head], methods.AcceptCorsPreflight));
        });
        return builder;
    }

    public static bool IsHead(this HttpContext ctx) => HttpMethods.IsHead(ctx.Request.Method);
}
