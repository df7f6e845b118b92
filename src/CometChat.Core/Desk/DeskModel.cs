namespace CometChat.Core;

/// <summary>
/// A support session as the desk sees it (API.md §7). Times are epoch ms; <see cref="Context"/> is the
/// stored <c>{"visitor":{...},"site":{...}}</c> JSON; <see cref="Contact"/> the email address the customer left.
/// </summary>
internal sealed record DeskSession(
    long Sid,
    string Customer,
    string? Agent,
    long OpenedAt,
    long? ClosedAt,
    long? AssignedAt,
    long? FirstResponseAt,
    string? FirstWords,
    string? Context,
    string? Contact,
    string? OfflineReason,
    long? Rating,
    string? RatingComment)
{
    public const string Queued = "queued", Assigned = "assigned", Closed = "closed";

    public string State => ClosedAt is not null ? Closed : Agent is null ? Queued : Assigned;
    public bool IsGuest => Guests.IsGuest(Customer);
}

/// <summary>A session row with what the agents' list shows: unread customer messages and the last message.</summary>
internal sealed record DeskSessionSummary(DeskSession Session, int Unread, Message? Last);

/// <summary>One canned response: <c>/shortcut</c> in the console inserts <see cref="Body"/>.</summary>
internal sealed record CannedResponse(string Shortcut, string Body, string UpdatedBy, long UpdatedAt);

/// <summary>
/// One pending delivery of the desk's outbox: a webhook event to one URL, or an email (a reply the customer
/// may not have seen, or a transcript they asked for). Written in the transaction of the change it reports.
/// </summary>
internal sealed record OutboxItem(
    long Id,
    string Channel,
    string? Target,
    string EventId,
    string Type,
    long Sid,
    string Payload,
    long CreatedAt,
    long DueAt,
    long Attempts)
{
    public const string Webhook = "webhook", Email = "email";
}

/// <summary>Per agent and in total, over sessions opened in a window (GET /api/support/report).</summary>
internal sealed record DeskFigures(string? Agent, int Sessions, double? FirstResponseMedianSeconds, double? CloseMedianSeconds, double? RatingAverage, int Ratings);
