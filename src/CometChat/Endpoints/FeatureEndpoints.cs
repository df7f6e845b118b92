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
        // Conversations, unread, recall and edit, files, search, blocks (API.md §8).
        services.AddSingleton<ConversationList>();
        services.AddSingleton<MessageChanges>();
        services.AddSingleton<ChatFiles>();
        services.AddSingleton<Search>();
        services.AddSingleton<Blocks>();
        return services;
    }

    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder api)
    {
        api.MapRooms();
        api.MapHistory();
        api.MapPresence();
        api.MapSupport();
        api.MapConversations();
        api.MapMessageChanges();
        api.MapFiles();
        return api;
    }
}
