using CometChat.Core;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CometChat.Desk;

/// <summary>Sends the desk's emails through Chat:Smtp:* with MailKit: STARTTLS when asked, login when a user is set.</summary>
internal sealed class MailKitMailer(IOptions<ChatOptions> options) : IMailer
{
    private readonly ChatOptions.SmtpSection _smtp = options.Value.Smtp;

    public async Task SendAsync(string to, string subject, string text, string? html, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(_smtp.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        var body = new BodyBuilder { TextBody = text, HtmlBody = html };
        message.Body = body.ToMessageBody();

        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync(_smtp.Host!, _smtp.Port, _smtp.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(_smtp.User)) await client.AuthenticateAsync(_smtp.User, _smtp.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }
}
