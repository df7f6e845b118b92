using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>A send's answer: the stored message, and whether it was a retry of an earlier send.</summary>
internal sealed record SendResult(Message Message, bool Duplicate);

/// <summary>
/// Validates and stores a user's message through the single writer, idempotent by (sender, id).
/// Who receives it is the matching <see cref="IMessageRoute"/>'s decision.
/// </summary>
internal sealed class MessageSender(MessageWriter writer, IEnumerable<IMessageRoute> routes, IOptions<ChatOptions> options, TimeProvider time, Presence presence, ChatLimits limits)
{
    public const int MaxIdChars = 64;
    private readonly IMessageRoute[] _routes = [.. routes];
    private readonly int _maxBody = options.Value.MaxBodyChars;

    public Task<SendResult> SendAsync(string from, SendRequest req)
    {
        if (string.IsNullOrEmpty(req.To)) throw new ChatException(ChatError.BadRequest("'to' is required: a user name, #room or @support."));
        var fileId = string.IsNullOrEmpty(req.File) ? null : ChatFiles.CheckId(req.File);
        // A file message's body is its optional caption.
        req = req with { Body = CheckBody(fileId is null ? req.Body : req.Body ?? "", _maxBody, allowEmpty: fileId is not null) };
        var generated = string.IsNullOrEmpty(req.Id);
        var id = CheckId(req.Id);
        CheckClient(req.Client);
        limits.CheckSend(from);
        var route = Array.Find(_routes, r => r.Handles(req))
            ?? throw new ChatException(ChatError.NotFound($"'to': there is no '{req.To}' to send to."));
        route.Validate(from, req);
        presence.Touch(from);

        return writer.RunAsync(tx =>
        {
            // A fresh GUID cannot be a retry: only a client-chosen id needs the duplicate lookup.
            if (!generated && tx.Messages.FindBySenderId(from, id) is { } existing) return new SendResult(existing, true);
            var file = fileId is null ? null : ChatFiles.Unsent(tx, from, fileId);
            var draft = new Message(0, id, from, req.To, file is null ? MessageKinds.Text : MessageKinds.File, req.Body!, Now(),
                Client: req.Client, File: file?.Json);
            var stored = route.Route(tx, from, req, draft).Store(tx);
            if (file is not null) tx.Files.Attach(file.Id, stored.Mid);
            return new SendResult(stored, false);
        }, route.Addressed(from, req));
    }

    /// <summary>
    /// Ids the server derives for messages it writes on a user's behalf start with one of these; a client's id may
    /// not, or a send with id <c>receipt:27:read</c> would take the place of that receipt (and the real one be
    /// answered as its duplicate); likewise a recall's and a rating's.
    /// </summary>
    public static readonly string[] ServerIdPrefixes = [Receipts.IdPrefix, MessageChanges.RecallIdPrefix, SupportDesk.RatingIdPrefix];

    /// <summary>
    /// A body as stored: present, not empty (unless <paramref name="allowEmpty"/>), at most <paramref name="max"/> characters,
    /// lone surrogates replaced. UTF-8 (the store and every wire) cannot carry a lone surrogate: it is replaced once, here, so
    /// every reader of the message, from memory or from the store, sees the same body.
    /// </summary>
    public static string CheckBody(string? body, int max, bool allowEmpty = false)
    {
        if (body is null) throw new ChatException(ChatError.BadRequest("'body' is required."));
        if (body.Length == 0 && !allowEmpty) throw new ChatException(ChatError.BadRequest("'body' must not be empty."));
        if (body.Length > max) throw new ChatException(ChatError.TooLarge($"'body' is {body.Length} characters; the limit is {max}."));
        return ReplaceLoneSurrogates(body);
    }

    public static string CheckId(string? id)
    {
        if (id is null or "") return Guid.NewGuid().ToString();
        if (id.Length > MaxIdChars) throw new ChatException(ChatError.BadRequest($"'id' is {id.Length} characters; the limit is {MaxIdChars}."));
        foreach (var prefix in ServerIdPrefixes)
            if (id.StartsWith(prefix, StringComparison.Ordinal))
                throw new ChatException(ChatError.BadRequest($"'id' must not start with '{prefix}': those ids are the server's."));
        return id;
    }

    public static void CheckClient(string? client)
    {
        if (client is { Length: > MaxIdChars })
            throw new ChatException(ChatError.BadRequest($"'client' is {client.Length} characters; the limit is {MaxIdChars}."));
    }

    public long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    public static string ReplaceLoneSurrogates(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0) return text; // the usual case: no surrogates, no copy
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
            else if (char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }
}
