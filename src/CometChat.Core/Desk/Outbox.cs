namespace CometChat.Core;

/// <summary>Delivers one kind of outbox item (a webhook POST, an email). Throwing counts as a failed attempt.</summary>
internal interface IOutboxChannel
{
    string Channel { get; }
    Task<OutboxResult> SendAsync(OutboxItem item, CancellationToken ct);
}

/// <summary>An attempt's result: done (delivered, or skipped for a reason that retrying cannot change), or failed with an error.</summary>
internal readonly record struct OutboxResult(bool Done, string? Outcome, string? Error)
{
    public static readonly OutboxResult Delivered = new(true, "delivered", null);
    public static OutboxResult Skipped(string why) => new(true, "skipped: " + why, null);
    public static OutboxResult Failed(string error) => new(false, null, error);
}

/// <summary>Which node delivers the outbox: with several nodes one at a time holds the lease, so an item goes out once.</summary>
internal interface IOutboxLease
{
    Task<bool> HoldAsync(CancellationToken ct);
}

/// <summary>One node: it always holds the lease.</summary>
internal sealed class LocalOutboxLease : IOutboxLease
{
    public Task<bool> HoldAsync(CancellationToken ct) => Task.FromResult(true);
}

/// <summary>Sends one email (MailKit over Chat:Smtp:* in the host).</summary>
internal interface IMailer
{
    Task SendAsync(string to, string subject, string text, string? html, CancellationToken ct);
}
