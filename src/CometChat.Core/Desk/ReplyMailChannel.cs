using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// The outbox's email items (API.md §7 offline): an agent's reply, sent only when the customer left an
/// address and has had no open connection since the reply (Chat:Support:EmailAfterSeconds after it), with a
/// link back to the chat; and a transcript the customer or an agent asked for. Nothing without an address.
/// </summary>
internal sealed class ReplyMailChannel(IDeskStore desk, IMessageStore messages, Presence presence, IMailer mailer, IOptions<ChatOptions> options) : IOutboxChannel
{
    private readonly string? _chatUrl = options.Value.Support.ChatUrl;
    private readonly bool _enabled = options.Value.Smtp.Enabled;

    public string Channel => OutboxItem.Email;

    public async Task<OutboxResult> SendAsync(OutboxItem item, CancellationToken ct)
    {
        if (!_enabled) return OutboxResult.Skipped("email is not configured (Chat:Smtp:Host)");
        var s = await desk.GetDeskSessionAsync(item.Sid, ct);
        if (s?.Contact is not { } to) return OutboxResult.Skipped("the customer left no email address");
        if (item.Type == DeskEvents.TranscriptMail)
        {
            var all = await desk.SessionMessagesAsync(s.Sid, notes: false, ct);
            await mailer.SendAsync(to, $"Transcript of your support conversation ({s.Sid})", Transcript.Text(s, all), Transcript.Html(s, all), ct);
            return OutboxResult.Delivered;
        }
        var reply = await messages.GetAsync(long.Parse(item.Payload, System.Globalization.CultureInfo.InvariantCulture), ct);
        if (reply is null) return OutboxResult.Skipped("the reply is gone");
        var seen = presence.Get(s.Customer);
        if (seen.Online || seen.LastSeen >= reply.SentAt) return OutboxResult.Skipped("the customer was connected after the reply");
        var link = _chatUrl ?? (SessionContext.Parse(s.Context)?.Visitor.GetValueOrDefault("page") is { } page && Uri.TryCreate(page, UriKind.Absolute, out var u)
            && u.Scheme is "http" or "https" ? page : null);
        var text = $"{reply.From} replied to your message:\n\n{reply.Body}\n\n" +
            (link is null ? "" : $"Continue the conversation: {link}\n\n") +
            $"You get this email because you left this address in support conversation {s.Sid} and were not connected.\n";
        await mailer.SendAsync(to, $"{reply.From} replied to your support question", text, null, ct);
        return OutboxResult.Delivered;
    }
}
