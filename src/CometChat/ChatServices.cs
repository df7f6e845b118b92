using CometChat.Core;
using CometChat.Http;
using CometChat.Backplane;
using CometChat.Storage;
using CometChat.Storage.Postgres;
using CometChat.Transports;
using CometChat.Endpoints;
using CometChat.Desk;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CometChat;

internal static class ChatServices
{
    public static IServiceCollection AddChat(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ChatOptions>().Bind(config.GetSection(ChatOptions.Section)).PostConfigure(o => o.ApplyListDefaults()).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatOptions>, ChatSettingsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        var chat = ChatOptions.From(config);
        services.AddChatStore(chat);
        services.AddChatBackplane(chat);

        services.AddSingleton<ChatStats>();
        services.AddSingleton<OperatorLog>();
        services.AddHostedService(sp => sp.GetRequiredService<OperatorLog>());
        services.AddSingleton<StoreIncidents>();
        services.AddSingleton<ChatLimits>();
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();
        services.AddSingleton<Presence>();
        services.AddSingleton<FeedWaiters>();
        services.AddSingleton<PollTimeouts>();
        // The recent-messages cache sees every commit: this node's, and on a shared store the others' (ClusterFeed).
        services.AddSingleton<RoomMembers>();
        services.AddSingleton(sp => new RecentMessages(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChatOptions>>().Value.RecentMessagesBytes,
            sp.GetRequiredService<RoomMembers>()));
        services.AddSingleton<FeedHead>();
        services.AddSingleton<ClusterFeed>();
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
        services.AddChatDesk(chat);
        services.AddChatTransports();
        services.AddChatCors();
        services.AddChatJson();
        services.AddChatHealthChecks();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemCodes.Customize);
        services.AddExceptionHandler<ChatExceptionHandler>();
        services.AddOpenApi();
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
            services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
            services.AddSingleton<ClusterSync>();
            services.AddHostedService(sp => sp.GetRequiredService<ClusterSync>());
            return;
        }
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteMessageStore>();
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
        services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<SqliteMessageStore>());
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

/// <summary>
/// Runs the generated <see cref="ChatOptionsValidator"/> over the whole <c>Chat</c> section at start and names
/// each bad setting the way it is configured: <c>Chat:Limits:SendsPerSecond</c>.
/// </summary>
internal sealed partial class ChatSettingsValidator : IValidateOptions<ChatOptions>
{
    private readonly ChatOptionsValidator _generated = new();

    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        var result = _generated.Validate(ChatOptions.Section, options);
        return result.Failed ? ValidateOptionsResult.Fail(result.Failures!.Select(f => SettingPath().Replace(f, m => m.Value.Replace('.', ':')))) : result;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bChat(\.[A-Za-z]+)+")]
    private static partial System.Text.RegularExpressions.Regex SettingPath();
}

internal static class ChatOptionsReading
{
    extension(ChatOptions)
    {
        /// <summary>The <c>Chat</c> section as the server reads it before DI exists (Kestrel limits, listeners).</summary>
        public static ChatOptions From(IConfiguration config) =>
            (config.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions()).ApplyListDefaults();
    }
}
