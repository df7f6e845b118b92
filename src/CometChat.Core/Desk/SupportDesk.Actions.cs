namespace CometChat.Core;

/// <summary>What agents and customers do to a session: claim, transfer, close, away, contact, notes, ratings, transcripts, canned responses.</summary>
internal sealed partial class SupportDesk
{
    public const int MaxCommentChars = 1000, MaxEmailChars = 254;

    /// <summary>An agent takes a queued session; taking one's own again changes nothing; someone else's is 409.</summary>
    public Task<SessionChange> ClaimAsync(string user, long? sid)
    {
        RequireAgent(user, "claim sessions");
        var id = RequireSid(sid);
        return _writer.RunAsync(tx =>
        {
            var s = OpenSession(tx, id);
            if (s.Agent == user) return new SessionChange(s, null);
            if (s.Agent is not null) throw new ChatException(ChatError.Conflict($"'sid': session {id} is already assigned to {s.Agent}."));
            var now = Now();
            tx.Support.AssignSession(id, user);
            tx.Desk.Assign(id, user, now);
            var after = s with { Agent = user };
            var m = Announce(tx, after, "assigned to " + user, [s.Customer, user], now);
            _events.Session(tx, DeskEvents.Assigned, id);
            QueueChanged();
            return new SessionChange(after, m);
        });
    }

    public Task<SessionChange> TransferAsync(string user, long? sid, string? toValue)
    {
        var id = RequireSid(sid);
        if (!IsAgent(user)) throw new ChatException(ChatError.Forbidden("'sid': only support agents transfer sessions."));
        var to = Names.User(toValue, "to");
        if (!IsAgent(to)) throw new ChatException(ChatError.BadRequest($"'to': '{to}' is not a support agent."));
        return _writer.RunAsync(tx =>
        {
            var s = OpenSession(tx, id);
            if (s.Agent != user)
                throw new ChatException(ChatError.Forbidden($"'sid': session {s.Sid} is {(s.Agent is null ? "queued" : "assigned to " + s.Agent)}, not to you."));
            if (to == user) throw new ChatException(ChatError.BadRequest($"'to': session {s.Sid} is already assigned to {to}."));
            tx.Support.AssignSession(s.Sid, to);
            tx.Desk.Assign(s.Sid, to, Now());
            var after = s with { Agent = to };
            var m = Announce(tx, after, "transferred to " + to, [s.Customer, user, to]);
            _events.Session(tx, DeskEvents.Transferred, s.Sid, from: user);
            // The agent handing over may now be under the cap again.
            AssignQueued(tx, new Dictionary<string, int>(tx.Support.OpenSessionCounts(), StringComparer.Ordinal), Away(tx));
            return new SessionChange(after, m);
        });
    }

    /// <summary>By the customer or the assigned agent; closing a closed session changes nothing.</summary>
    public Task<SessionChange> CloseAsync(string user, long? sid)
    {
        var id = RequireSid(sid);
        return _writer.RunAsync(tx =>
        {
            var s = tx.Support.GetSession(id) ?? throw NoSuchSession(id);
            if (s.Customer != user && s.Agent != user)
                throw new ChatException(ChatError.Forbidden($"'sid': session {s.Sid} is not yours to close."));
            return Close(tx, s, user, Now());
        });
    }

    /// <summary>Inside the writer: closes <paramref name="customer"/>'s open session, if any, as closed by them (their account is going).</summary>
    public void CloseOpenSessionOf(IWrites tx, string customer, long now)
    {
        if (tx.Support.OpenSessionOf(customer) is { } s) Close(tx, s, customer, now);
    }

    private SessionChange Close(IWrites tx, SupportSession s, string by, long now)
    {
        if (s.ClosedAt is not null) return new SessionChange(s, null);
        tx.Support.CloseSession(s.Sid, now);
        var after = s with { ClosedAt = now };
        var m = Announce(tx, after, "closed by " + by, s.Agent is null ? [s.Customer] : [s.Customer, s.Agent], now);
        _events.Session(tx, DeskEvents.Closed, s.Sid);
        if (s.Agent is null) QueueChanged();
        else AssignQueued(tx, new Dictionary<string, int>(tx.Support.OpenSessionCounts(), StringComparer.Ordinal), Away(tx));
        return new SessionChange(after, m);
    }

    /// <summary>An agent's online/away switch; away agents get no new sessions. Coming back may assign queued ones.</summary>
    public Task SetStatusAsync(string user, string? state)
    {
        RequireAgent(user, "have a desk status");
        var away = state switch
        {
            "away" => true,
            "online" => false,
            null or "" => throw new ChatException(ChatError.BadRequest("'state' is required: 'online' or 'away'.")),
            _ => throw new ChatException(ChatError.BadRequest("'state' must be 'online' or 'away'.")),
        };
        _presence.Touch(user);
        return _writer.RunAsync(tx =>
        {
            tx.Desk.SetAway(user, away, Now());
            var awaySet = Away(tx);
            if (!away && AssignQueued(tx, new Dictionary<string, int>(tx.Support.OpenSessionCounts(), StringComparer.Ordinal), awaySet) && !_shared)
                Volatile.Write(ref _maybeQueued, 0);
            QueueChanged(); // the desk may have gone online or offline for waiting customers
            return true;
        });
    }

    /// <summary>The customer's email address for replies while they are away (and for transcripts).</summary>
    public Task SetContactAsync(string user, long? sid, string? email)
    {
        var id = RequireSid(sid);
        var address = CheckEmail(email);
        return _writer.RunAsync(tx =>
        {
            var s = tx.Support.GetSession(id) ?? throw NoSuchSession(id);
            if (s.Customer != user) throw new ChatException(ChatError.Forbidden($"'sid': session {id} is not yours."));
            tx.Desk.SetContact(id, address);
            return true;
        });
    }

    /// <summary>An internal note: kind <c>note</c>, to the session's agents only (present, past, and the author).</summary>
    public Task<SendResult> AddNoteAsync(string user, long? sid, string? body)
    {
        RequireAgent(user, "write notes");
        var id = RequireSid(sid);
        var text = CheckBody(body, "body");
        return _writer.RunAsync(tx =>
        {
            var s = tx.Support.GetSession(id) ?? throw NoSuchSession(id);
            var agents = tx.Desk.SessionParticipants(id, s.Customer);
            if (s.Agent is not null && s.Agent != user && !agents.Contains(user))
                throw new ChatException(ChatError.Forbidden($"'sid': session {id} is assigned to {s.Agent}; only its agents write notes on it."));
            var recipients = new HashSet<string>(agents, StringComparer.Ordinal) { user };
            if (s.Agent is not null) recipients.Add(s.Agent);
            var note = new Message(0, Guid.NewGuid().ToString(), user, Address, MessageKinds.Note, text, Now(), Sid: id);
            return new SendResult(tx.Messages.Append(note, recipients, Conversations.SupportNotes(s.Customer)), false);
        });
    }

    /// <summary>The customer rates a closed session once: 1..5 and an optional comment, a <c>rating</c> message to its agents.</summary>
    public Task<SendResult> RateAsync(string user, long? sid, string? scoreValue, string? comment)
    {
        var id = RequireSid(sid);
        if (string.IsNullOrEmpty(scoreValue)) throw new ChatException(ChatError.BadRequest("'score' is required: 1 to 5."));
        if (!int.TryParse(scoreValue, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var score) || score is < 1 or > 5)
            throw new ChatException(ChatError.BadRequest("'score' must be an integer from 1 to 5."));
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (comment is { Length: > MaxCommentChars })
            throw new ChatException(ChatError.TooLarge($"'comment' is {comment.Length} characters; the limit is {MaxCommentChars}."));
        if (comment is not null) comment = MessageSender.ReplaceLoneSurrogates(comment);
        return _writer.RunAsync(tx =>
        {
            var s = tx.Desk.GetSession(id) ?? throw NoSuchSession(id);
            if (s.Customer != user) throw new ChatException(ChatError.Forbidden($"'sid': session {id} is not yours to rate."));
            if (s.ClosedAt is null) throw new ChatException(ChatError.Conflict($"'sid': session {id} is still open; rate it after it closes."));
            if (s.Rating is not null) throw new ChatException(ChatError.Conflict($"'sid': session {id} is already rated."));
            tx.Desk.SetRating(id, score, comment);
            var recipients = new HashSet<string>(tx.Desk.SessionParticipants(id, user), StringComparer.Ordinal) { user };
            var body = score.ToString(System.Globalization.CultureInfo.InvariantCulture) + (comment is null ? "" : " " + comment);
            var rating = new Message(0, RatingIdPrefix + id, user, Address, MessageKinds.Rating, body, Now(), Sid: id);
            var stored = tx.Messages.Append(rating, recipients, Conversations.Support(user));
            _events.Session(tx, DeskEvents.Rated, id);
            return new SendResult(stored, false);
        });
    }

    /// <summary>Queues the transcript for the session's contact address (the customer or one of its agents asks).</summary>
    public Task EmailTranscriptAsync(string user, long? sid, bool isParticipant)
    {
        var id = RequireSid(sid);
        if (!_events.MailEnabled) throw new ChatException(ChatError.Unavailable("Email is not configured on this server (Chat:Smtp:Host)."));
        return _writer.RunAsync(tx =>
        {
            var s = tx.Desk.GetSession(id) ?? throw NoSuchSession(id);
            if (s.Customer != user && !(IsAgent(user) && (s.Agent == user || isParticipant)))
                throw new ChatException(ChatError.Forbidden($"'sid': session {id} is neither yours nor one of your sessions."));
            if (s.Contact is null)
                throw new ChatException(ChatError.Conflict($"'sid': session {id} has no contact address; the customer leaves one with /api/support/{id}/contact."));
            _events.Transcript(tx, id, user);
            return true;
        });
    }

    public Task SaveCannedAsync(string user, string? shortcutValue, string? body)
    {
        RequireAgent(user, "manage canned responses");
        var shortcut = CheckShortcut(shortcutValue);
        var text = CheckBody(body, "body");
        return _writer.RunAsync(tx =>
        {
            tx.Desk.SaveCanned(new CannedResponse(shortcut, text, user, Now()));
            return true;
        });
    }

    public Task DeleteCannedAsync(string user, string? shortcutValue)
    {
        RequireAgent(user, "manage canned responses");
        var shortcut = CheckShortcut(shortcutValue);
        return _writer.RunAsync(tx => tx.Desk.DeleteCanned(shortcut)
            ? true
            : throw new ChatException(ChatError.NotFound($"'shortcut': there is no canned response '{shortcut}'.")));
    }

    public void RequireAgent(string user, string what)
    {
        if (!IsAgent(user)) throw new ChatException(ChatError.Forbidden($"Only support agents {what}; '{user}' is not one."));
    }

    private static long RequireSid(long? sid) => sid ?? throw new ChatException(ChatError.BadRequest("'sid' is required."));

    private string CheckBody(string? body, string name)
    {
        if (string.IsNullOrWhiteSpace(body)) throw new ChatException(ChatError.BadRequest($"'{name}' is required."));
        if (body.Length > _maxBody) throw new ChatException(ChatError.TooLarge($"'{name}' is {body.Length} characters; the limit is {_maxBody}."));
        return MessageSender.ReplaceLoneSurrogates(body);
    }

    private static string CheckShortcut(string? value)
    {
        var bare = value is { Length: > 0 } && value[0] == '/' ? value[1..] : value;
        if (!Names.TryNormalize(bare, out var shortcut))
            throw new ChatException(ChatError.BadRequest($"'shortcut' must be 1-{Names.MaxLength} letters, digits, '_', '.' or '-'."));
        return shortcut;
    }

    /// <summary>An address a mail server accepts: one mailbox, no display name, at most 254 characters.</summary>
    public static string CheckEmail(string? email)
    {
        email = email?.Trim();
        if (string.IsNullOrEmpty(email)) throw new ChatException(ChatError.BadRequest("'email' is required."));
        if (email.Length > MaxEmailChars || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email
            || parsed.Host.IndexOf('.') < 1 || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ChatException(ChatError.BadRequest("'email' must be an email address like name@example.com."));
        return email;
    }
}
