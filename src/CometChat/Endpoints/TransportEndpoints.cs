using CometChat.Http;
using CometChat.Transports;

namespace CometChat.Endpoints;

internal static class TransportEndpoints
{
    public static IEndpointRouteBuilder MapTransports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/poll", (ChatRequest req, LongPollTransport poll) => poll.PollAsync(req));
        return app;
    }
}
