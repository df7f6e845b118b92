namespace CometChat.Core;

/// <summary>
/// Support-desk messages: a customer's message to <c>@support</c> opens or continues their session and
/// reaches its agent (only the customer while queued); an agent's reply goes <c>to</c> the customer with
/// <c>sid</c>. Every message of a session carries its sid and lands in the customer's support thread.
/// </summary>
internal sealed class SupportRoute(SupportDesk desk) : IMessageRoute
{
    public bool Handles(SendRequest req) => req.To is not null && (req.To.StartsWith('@') || req.Sid is not null);

    public void Validate(string from, SendRequest req)
    {
        if (req.To!.StartsWith('@'))
        {
            if (req.To != SupportDesk.Address) throw new ChatException(ChatError.NotFound($"'to': there is no '{req.To}'; the support desk is '@support'."));
            if (desk.IsAgent(from))
                throw new ChatException(ChatError.Forbidden("'to': agents answer support sessions and cannot open one; reply to the customer with 'sid'."));
            return;
        }
        Names.User(req.To, "to");
        if (!desk.IsAgent(from))
            throw new ChatException(ChatError.Forbidden("'sid': only support agents reply with 'sid'; customers write to '@support'."));
    }

    public RoutedMessage Route(IWrites tx, string from, SendRequest req, Message draft) =>
        req.To == SupportDesk.Address ? FromCustomer(tx, from, req, draft) : FromAgent(tx, from, req, draft);

    private RoutedMessage FromCustomer(IWrites tx, string customer, SendRequest req, Message draft)
    {
        SupportSession session;
        if (req.Sid is { } sid)
        {
            // A customer may name their session; it must be the one that is open.
            session = SupportDesk.OpenSession(tx, sid);
            if (session.Customer != customer) throw new ChatException(ChatError.Forbidden($"'sid': session {sid} is not yours."));
            Continued(tx, session);
        }
        else session = tx.Support.OpenSessionOf(customer) is { } open ? Continued(tx, open) : desk.Open(tx, customer, draft, req.Context);
        IReadOnlyCollection<string> recipients = session.Agent is null ? [customer] : [customer, session.Agent];
        return new RoutedMessage(draft with { To = SupportDesk.Address, Sid = session.Sid }, recipients, Conversations.Support(customer),
            (t, stored) => desk.MessageStored(t, stored, fromAgent: false));
    }

    private SupportSession Continued(IWrites tx, SupportSession session)
    {
        desk.CustomerWrote(tx, session);
        return session;
    }

    private RoutedMessage FromAgent(IWrites tx, string agent, SendRequest req, Message draft)
    {
        var session = SupportDesk.OpenSession(tx, req.Sid!.Value);
        if (session.Agent != agent)
            throw new ChatException(ChatError.Forbidden($"'sid': session {session.Sid} is {(session.Agent is null ? "queued" : "assigned to " + session.Agent)}, not to you."));
        var to = Names.User(req.To, "to");
        if (to != session.Customer)
            throw new ChatException(ChatError.BadRequest($"'to' must be the customer of session {session.Sid}, '{session.Customer}'."));
        return new RoutedMessage(draft with { To = to, Sid = session.Sid }, [to, agent], Conversations.Support(to),
            (t, stored) => desk.MessageStored(t, stored, fromAgent: true));
    }
}
