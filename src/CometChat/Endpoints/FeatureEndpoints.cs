using CometChat.Core;

namespace CometChat.Endpoints;

internal static class FeatureEndpoints
{
    /// <summary>Rooms, history, presence and the support desk (issue: chat features).</summary>
    public static IServiceCollection AddChatFeatures(this IServiceCollection services)
    {
        services.AddSingleton<Rooms>();
        services.AddSingleton<History>();
        services.AddSingleton<SupportDesk>();
        // Eager, so the desk hears of agents coming online before anyone has written to @support.
        services.AddHostedService(sp => sp.GetRequiredService<SupportDesk>());
        services.AddSingleton<IMessageRoute, RoomRoute>();
        services.AddSingleton<IMessageRoute, SupportRoute>();
        return services;
    }

    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder api)
    {
        api.MapRooms();
        api.MapHistory();
        api.MapPresence();
        api.MapSupport();
        return api;
    }
}
