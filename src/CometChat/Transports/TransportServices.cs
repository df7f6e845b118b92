using CometChat.Transports.Socket;
using CometChat.Transports.Streaming;

namespace CometChat.Transports;

internal static class TransportServices
{
    /// <summary>Every transport adapter over the one feed core.</summary>
    public static IServiceCollection AddChatTransports(this IServiceCollection services)
    {
        services.AddSingleton<LongPollTransport>();
        services.AddSingleton<StreamLoop>();
        services.AddSingleton<ClientCommands>();
        services.AddSingleton<WebSocketTransport>();
        services.AddSingleton<SocketConnectionHandler>();
        return services;
    }
}
