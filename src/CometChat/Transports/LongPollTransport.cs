using CometChat.Core;
using CometChat.Http;
using Microsoft.Extensions.Options;

namespace CometChat.Transports;

/// <summary>
/// /api/poll: answers as soon as the feed has something after <c>since</c>, else after <c>timeout</c>
/// seconds with no messages. Parked on the user's <see cref="FeedWaiters"/>, never on a thread. Hand-written
/// answer (<see cref="ChatResponse.Page"/>): this is the hot path.
/// </summary>
internal sealed class LongPollTransport(Feed feed, FeedWaiters waiters, Presence presence, IOptions<ChatOptions> options, PollTimeouts timeouts)
{
    public async Task<PageResult> PollAsync(ChatUser user, ChatParameters p)
    {
        var limit = QueryLimits.Limit(p);
        var timeout = QueryLimits.TimeoutSeconds(p, options.Value.Poll.DefaultTimeoutSeconds);
        var client = QueryLimits.Client(p);
        var cursor = await QueryLimits.SinceAsync(p, feed);

        // Only a poll that parks is a listener: one that answers at once (timeout=0, HEAD, messages already
        // waiting) must not count toward Chat:MaxParkedPerUser and supersede another tab's parked poll.
        var ready = await feed.ReadAfterAsync(user, client, cursor, limit, p.Aborted, settled: timeout == 0);
        if (ready.Messages.Count > 0 || timeout == 0 || p.Context.IsHead())
        {
            presence.Touch(user);
            return ChatResponse.Page(ready);
        }

        // Park from where that read got to: the subscription's own first read then scans only what came since.
        // It ends with messages, superseded by a newer poll of the same user (a page flagged Superseded), at its
        // timeout or at shutdown (PollTimeouts expires it: an empty page after one last read), or when the client
        // hangs up (the cancellation propagates; its listener is freed by Dispose, nobody to answer).
        using var sub = new FeedSubscription(feed, waiters, user, client, ready.Cursor, limit, ListenerKind.Poll);
        using var deadline = timeouts.Start(sub.Listener, TimeSpan.FromSeconds(timeout));
        var page = await sub.NextAsync(p.Aborted);
        return ChatResponse.Page(page);
    }
}
