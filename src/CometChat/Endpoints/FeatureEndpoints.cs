namespace CometChat.Endpoints;

internal static class FeatureEndpoints
{
    /// <summary>Rooms, history, presence and the support desk (issue: chat features).</summary>
    public static IServiceCollection AddChatFeatures(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder app) => app;
}
