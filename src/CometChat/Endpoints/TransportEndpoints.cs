using CometChat.Http;
using CometChat.Transports;
using CometChat.Transports.Streaming;

namespace CometChat.Endpoints;

internal static class TransportEndpoints
{
    public static IEndpointRouteBuilder MapTransports(this IEndpointRouteBuilder api)
    {
        api.MapGet("/api/poll", (ChatUser user, ChatParameters p, LongPollTransport poll) => poll.PollAsync(user, p));
        api.MapGet("/api/stream", (ChatUser user, ChatParameters p, StreamLoop stream) => stream.StreamAsync(user, p)).Produces(200, contentType: "application/x-ndjson");
        api.MapGet("/api/events", (ChatUser user, ChatParameters p, StreamLoop stream) => stream.EventsAsync(user, p)).Produces(200, contentType: "text/event-stream");
        api.MapGet("/ws", (ChatUser user, ChatParameters p, WebSocketTransport ws) => ws.AcceptAsync(user, p)).ExcludeFromDescription();
        return api;
    }
}
