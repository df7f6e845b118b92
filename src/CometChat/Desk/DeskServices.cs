using CometChat.Core;
using CometChat.Storage.Postgres;

namespace CometChat.Desk;

internal static class DeskServices
{
    /// <summary>The support desk of API.md §6 and §7: routing, queue events, guests, reads, the report, and the outbox with its channels.</summary>
    public static IServiceCollection AddChatDesk(this IServiceCollection services, ChatOptions chat)
    {
        services.AddSingleton<DeskEvents>();
        services.AddSingleton<SupportDesk>();
        // Eager, so the desk hears of agents coming online before anyone has written to @support.
        services.AddHostedService(sp => sp.GetRequiredService<SupportDesk>());
        services.AddSingleton<IMessageRoute, SupportRoute>();
        services.AddSingleton<DeskQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<DeskQueue>());
        services.AddSingleton<DeskReads>();
        services.AddSingleton<DeskReport>();
        services.AddSingleton<Guests>();
        services.AddSingleton<IDeskStore>(sp => (Storage.SqlReadStore)sp.GetRequiredService<IMessageStore>());

        services.AddHttpClient(WebhookChannel.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IOutboxChannel, WebhookChannel>();
        services.AddSingleton<IMailer, MailKitMailer>();
        services.AddSingleton<IOutboxChannel, ReplyMailChannel>();
        if (chat.SharedStore) services.AddSingleton<IOutboxLease, PostgresOutboxLease>();
        else services.AddSingleton<IOutboxLease, LocalOutboxLease>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }
}
