using System.Text;
using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Writes the desk's outbox rows inside the transaction of the change they report (API.md §7): one webhook
/// delivery per configured URL that wants the event type, and reply emails due after Chat:Support:EmailAfterSeconds.
/// The <see cref="OutboxDispatcher"/> delivers them after the commit; a rollback takes them back with the change.
/// </summary>
internal sealed class DeskEvents(IOptions<ChatOptions> options, TimeProvider time)
{
    public const string Queued = "session.queued", Assigned = "session.assigned", Transferred = "session.transferred",
        Closed = "session.closed", Rated = "session.rated", Offline = "session.offline", MessageCreated = "message.created";
    public static readonly string[] Types = [Queued, Assigned, Transferred, Closed, Rated, Offline, MessageCreated];
    public const string ReplyMail = "reply", TranscriptMail = "transcript";

    private readonly ChatOptions.WebhookOptions[] _hooks = options.Value.Webhooks;
    private readonly bool _mail = options.Value.Smtp.Enabled;
    private readonly long _emailAfterMs = options.Value.Support.EmailAfterSeconds * 1000L;
    private int _pending;

    public bool MailEnabled => _mail;

    /// <summary>True once after rows were written (maybe rolled back since): the dispatcher should look.</summary>
    public bool TakePending() => Interlocked.Exchange(ref _pending, 0) == 1;

    /// <summary>A <c>session.*</c> event about <paramref name="sid"/> as it now stands in this transaction.</summary>
    public void Session(IWrites tx, string type, long sid, string? from = null, string? reason = null)
    {
        if (!Wanted(type)) return;
        var s = tx.Desk.GetSession(sid)!;
        Add(tx, type, s.Sid, new WebhookData(SessionView.Of(s, forAgent: true), From: from, Reason: reason));
    }

    /// <summary>A support message (not a note, receipt or session notice) was stored.</summary>
    public void Message(IWrites tx, long sid, Message m)
    {
        if (!Wanted(MessageCreated)) return;
        var s = tx.Desk.GetSession(sid)!;
        Add(tx, MessageCreated, sid, new WebhookData(SessionView.Of(s, forAgent: true, details: false), m));
    }

    /// <summary>An agent's reply: emailed later if the customer has not been connected since and left an address.</summary>
    public void Reply(IWrites tx, long sid, Message m)
    {
        if (!_mail) return;
        var now = Now();
        tx.Desk.AddOutbox(new OutboxItem(0, OutboxItem.Email, null, Guid.NewGuid().ToString(), ReplyMail, sid,
            m.Mid.ToString(System.Globalization.CultureInfo.InvariantCulture), now, m.SentAt + _emailAfterMs, 0));
        Volatile.Write(ref _pending, 1);
    }

    /// <summary>The session's transcript, to its contact address, as soon as possible.</summary>
    public void Transcript(IWrites tx, long sid, string requestedBy)
    {
        var now = Now();
        tx.Desk.AddOutbox(new OutboxItem(0, OutboxItem.Email, null, Guid.NewGuid().ToString(), TranscriptMail, sid, requestedBy, now, now, 0));
        Volatile.Write(ref _pending, 1);
    }

    private bool Wanted(string type) => Array.Exists(_hooks, h => h.Events.Length == 0 || h.Events.Contains(type));

    private void Add(IWrites tx, string type, long sid, WebhookData data)
    {
        var now = Now();
        var id = "evt_" + Guid.NewGuid().ToString("n");
        var body = Encoding.UTF8.GetString(DeskJson.Bytes(new WebhookBody(id, type, now, data), DeskJson.Default.WebhookBody));
        foreach (var hook in _hooks)
        {
            if (hook.Events.Length > 0 && !hook.Events.Contains(type)) continue;
            tx.Desk.AddOutbox(new OutboxItem(0, OutboxItem.Webhook, hook.Url, id, type, sid, body, now, now, 0));
        }
        Volatile.Write(ref _pending, 1);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
