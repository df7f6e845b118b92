using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using CometChat.Core;
using Microsoft.Extensions.Options;

namespace CometChat.Desk;

/// <summary>
/// POSTs one outbox event to its webhook URL (API.md §7): the stored body as JSON, with
/// <c>X-CometChat-Event</c>, <c>X-CometChat-Id</c>, <c>X-CometChat-Timestamp</c> (epoch ms, this attempt's)
/// and <c>X-CometChat-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))</c>. Any 2xx is delivered.
/// </summary>
internal sealed class WebhookChannel(IHttpClientFactory clients, IOptions<ChatOptions> options, TimeProvider time) : IOutboxChannel
{
    public const string ClientName = "webhooks";

    public string Channel => OutboxItem.Webhook;

    public async Task<OutboxResult> SendAsync(OutboxItem item, CancellationToken ct)
    {
        var hook = Array.Find(options.Value.Webhooks, h => h.Url == item.Target);
        if (hook is null) return OutboxResult.Skipped("no webhook is configured for this URL any more");
        var timestamp = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url)
        {
            Content = new StringContent(item.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-CometChat-Event", item.Type);
        request.Headers.Add("X-CometChat-Id", item.EventId);
        request.Headers.Add("X-CometChat-Timestamp", timestamp);
        request.Headers.Add("X-CometChat-Signature", "sha256=" + Sign(hook.Secret, timestamp, item.Payload));
        using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
        return response.IsSuccessStatusCode ? OutboxResult.Delivered : OutboxResult.Failed($"HTTP {(int)response.StatusCode}");
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
}
