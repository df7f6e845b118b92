using CometChat.Http;
using CometChat.Transports;
using CometChat.Transports.Streaming;

namespace CometChat.Endpoints;

internal static class TransportEndpoints
{
    public static IEndpointRouteBuilder MapTransports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/poll", (ChatRequest req, LongPollTransport poll) => poll.PollAsync(req));
        app.MapGet("/api/stream", (ChatRequest req, StreamLoop stream) => stream.StreamAsync(req));
        app.MapGet("/api/events", (ChatRequest req, StreamLoop stream) => stream.EventsAsync(req));
        app.MapGet("/ws", (ChatRequest req, WebSocketTransport ws) => ws.AcceptAsync(req));
        return app;
    }
}
