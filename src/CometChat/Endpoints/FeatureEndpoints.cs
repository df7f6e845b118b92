using CometChat.Core;

namespace CometChat.Endpoints;

internal static class FeatureEndpoints
{
    /// <summary>Rooms, history and presence (issue: chat features); the support desk is AddChatDesk's.</summary>
    public static IServiceCollection AddChatFeatures(this IServiceCollection services)
    {
        services.AddSingleton<Rooms>();
        services.AddSingleton<History>();
        services.AddSingleton<IMessageRoute, RoomRoute>();
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
        api.MapDesk();
        api.MapDeskSessions();
        api.MapCanned();
        api.MapReport();
        api.MapConversations();
        api.MapMessageChanges();
        api.MapFiles();
        return api;
    }
}
