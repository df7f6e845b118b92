using CometChat.Core;
using CometChat.Http;
using CometChat.Backplane;
using CometChat.Storage;
using CometChat.Storage.Postgres;
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

        var chat = config.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions();
        services.AddChatStore(chat);
        services.AddChatBackplane(chat);

        services.AddSingleton<ChatStats>();
        services.AddSingleton<ChatLimits>();
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();
        services.AddSingleton<Presence>();
        services.AddSingleton<FeedWaiters>();
        // The recent-messages cache must see every commit; with other nodes committing it cannot, so it is off.
        services.AddSingleton(sp => new RecentMessages(chat.SharedStore ? 0 : sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChatOptions>>().Value.RecentMessages));
        services.AddSingleton<FeedHead>();
        services.AddSingleton<MessageWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageWriter>());
        services.AddSingleton<Feed>();
        services.AddSingleton<IMessageRoute, DirectRoute>();
        services.AddSingleton<MessageSender>();
        services.AddSingleton<TokenHolders>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<ReservedNames>();
        services.AddSingleton<NameMigration>();
        services.AddHostedService(sp => sp.GetRequiredService<NameMigration>()); // before serving: older names under the profile
        services.AddSingleton<Accounts>();
        services.AddHostedService(sp => sp.GetRequiredService<Accounts>()); // releases reserved names' first-login passwords at start
        services.AddSingleton<Receipts>();
        services.AddSingleton<Retention>();
        services.AddHostedService(sp => sp.GetRequiredService<Retention>());
        services.AddSingleton<Typing>();
        services.AddChatFeatures();
        services.AddChatTransports();
        services.AddChatCors(chat);
        services.AddSingleton<TrustedProxies>();
        return services;
    }

    /// <summary>Chat:Store: the SQLite file of one node, or PostgreSQL shared by several.</summary>
    private static void AddChatStore(this IServiceCollection services, ChatOptions chat)
    {
        if (chat.SharedStore)
        {
            services.AddSingleton<PostgresDatabase>();
            services.AddSingleton<PostgresMessageStore>();
            services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
            services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
            services.AddSingleton<ClusterSync>();
            services.AddHostedService(sp => sp.GetRequiredService<ClusterSync>());
            return;
        }
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteMessageStore>();
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
    }

    /// <summary>Chat:Backplane: wake-ups, typing, presence and rate limits in-process, or across nodes over Redis.</summary>
    private static void AddChatBackplane(this IServiceCollection services, ChatOptions chat)
    {
        if (!chat.RedisBackplane)
        {
            services.AddSingleton<IWakeUpBus, LocalWakeUpBus>();
            return;
        }
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IWakeUpBus, RedisWakeUpBus>();
        services.AddSingleton<IClusterPresence, RedisPresence>();
        services.AddSingleton<ISharedRateLimits, RedisRateLimits>();
        services.AddSingleton<IClusterRevocations, RedisRevocations>();
    }
}
