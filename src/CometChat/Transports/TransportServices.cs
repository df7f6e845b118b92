namespace CometChat.Transports;

internal static class TransportServices
{
    /// <summary>Every transport adapter over the one feed core.</summary>
    public static IServiceCollection AddChatTransports(this IServiceCollection services)
    {
        services.AddSingleton<LongPollTransport>();
        return services;
    }
}
