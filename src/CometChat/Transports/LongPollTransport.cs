using CometChat.Core;
using CometChat.Http;
using Microsoft.Extensions.Options;

namespace CometChat.Transports;

/// <summary>
/// /api/poll: answers as soon as the feed has something after <c>since</c>, else after <c>timeout</c>
/// seconds with no messages. Parked on the user's <see cref="FeedWaiters"/>, never on a thread. Hand-written
/// answer (<see cref="ChatResponse.Page"/>): this is the hot path.
/// </summary>
internal sealed class LongPollTransport(Feed feed, FeedWaiters waiters, Presence presence, IOptions<ChatOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
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
        using var sub = new FeedSubscription(feed, waiters, user, client, ready.Cursor, limit, ListenerKind.Poll);
        using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(timeout), time);
        var stopping = lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(p.Aborted, timer.Token, stopping);
        FeedPage page;
        try
        {
            page = await sub.NextAsync(linked.Token);
        }
        // A parked poll ends in one of four ways: messages (above), superseded by a newer poll of the same
        // user (a page flagged Superseded, above), or one of these three cancellations.
        catch (OperationCanceledException) when (p.Aborted.IsCancellationRequested)
        {
            throw; // the client hung up: its listener is freed by Dispose, nobody to answer
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            page = FeedPage.Empty(sub.Cursor); // shutdown: answer now so the client re-polls (here after a restart, or elsewhere)
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            // Timeout. One last read: the tab's own sends never woke it, yet its cursor must move past them.
            page = await feed.ReadAfterAsync(user, client, sub.Cursor, limit, p.Aborted);
        }
        return ChatResponse.Page(page);
    }
}
