using CometChat.Core;
using CometChat.Http;
using Microsoft.Extensions.Options;

namespace CometChat.Transports;

/// <summary>
/// /api/poll: answers as soon as the feed has something after <c>since</c>, else after <c>timeout</c>
/// seconds with no messages. Parked on the user's <see cref="FeedWaiters"/>, never on a thread.
/// </summary>
internal sealed class LongPollTransport(Feed feed, FeedWaiters waiters, IOptions<ChatOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public async Task<IResult> PollAsync(ChatRequest req)
    {
        var user = await req.UserAsync();
        var limit = QueryLimits.Limit(req);
        var timeout = QueryLimits.TimeoutSeconds(req, options.Value.Poll.DefaultTimeoutSeconds);
        var client = QueryLimits.Client(req);
        var cursor = await QueryLimits.SinceAsync(req, feed);

        using var sub = new FeedSubscription(feed, waiters, user, client, cursor, limit, ListenerKind.Poll);
        if (timeout == 0) return ChatResponse.Page(req, await feed.ReadAfterAsync(user, client, cursor, limit, req.Aborted, settled: true));

        using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(timeout), time);
        var stopping = lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(req.Aborted, timer.Token, stopping);
        FeedPage page;
        try
        {
            page = await sub.NextAsync(linked.Token);
        }
        // A parked poll ends in one of four ways: messages (above), superseded by a newer poll of the same
        // user (a page flagged Superseded, above), or one of these three cancellations.
        catch (OperationCanceledException) when (req.Aborted.IsCancellationRequested)
        {
            return Results.Empty; // the client hung up: its listener is freed by Dispose, nobody to answer
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            page = FeedPage.Empty(sub.Cursor); // shutdown: answer now so the client re-polls (here after a restart, or elsewhere)
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            // Timeout. One last read: the tab's own sends never woke it, yet its cursor must move past them.
            page = await feed.ReadAfterAsync(user, client, sub.Cursor, limit, req.Aborted);
        }
        return ChatResponse.Page(req, page);
    }
}
