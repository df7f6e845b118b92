using CometChat.Core;
using CometChat.Http;
using CometChat.Storage;
using CometChat.Transports;
using CometChat.Endpoints;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CometChat;

internal static class ChatServices
{
    public static IServiceCollection AddChat(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ChatOptions>().Bind(config.GetSection(ChatOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteMessageStore>();
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<SqliteMessageStore>());

        services.AddSingleton<ChatStats>();
        services.AddSingleton<ChatLimits>();
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();
        services.AddSingleton<Presence>();
        services.AddSingleton<FeedWaiters>();
        services.AddSingleton<IWakeUpBus, LocalWakeUpBus>();
        services.AddSingleton(sp => new RecentMessages(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChatOptions>>().Value.RecentMessages));
        services.AddSingleton<MessageWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageWriter>());
        services.AddSingleton<Feed>();
        services.AddSingleton<IMessageRoute, DirectRoute>();
        services.AddSingleton<MessageSender>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<Accounts>();
        services.AddSingleton<Receipts>();
        services.AddSingleton<Typing>();
        services.AddChatFeatures();
        services.AddChatTransports();
        services.AddChatCors(config.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions());
        return services;
    }
}
