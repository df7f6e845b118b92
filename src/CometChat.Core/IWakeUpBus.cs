namespace CometChat.Core;

/// <summary>
/// A committed message's wake-up: the feeds that changed, the sending tab that must not be woken, and
/// the message's mid (the new head: every mid up to it is committed, on every node).
/// </summary>
internal readonly record struct WakeUp(IReadOnlyCollection<string> Users, string? Sender, string? SenderClient, long Mid = 0);

/// <summary>Whether wake-ups reach other nodes: <c>Local</c> (one node), or a backplane that is up or down.</summary>
internal enum BusState { Local, Up, Down }

/// <summary>Carries wake-ups and ephemeral events to every node's waiters: in-process (one node), or Redis when scaled out.</summary>
internal interface IWakeUpBus
{
    BusState State { get; }

    /// <summary>Wakes this node's listeners of a commit made here.</summary>
    void Publish(WakeUp wake);

    /// <summary>
    /// Hands a batch this node committed to every other node (shared store): its messages fill their caches and wake
    /// their listeners there (<see cref="ClusterFeed.Received"/>). Nothing on one node.
    /// </summary>
    void Share(CommittedBatch batch);

    /// <summary>Called every heartbeat: repairs what the bus cannot repair by itself (a failed subscription).</summary>
    Task MaintainAsync(CancellationToken ct);
    void PublishEvent(string user, ChatEvent e);

    /// <summary>
    /// An event for every member of <paramref name="room"/> but <paramref name="except"/> (typing): this node's from
    /// <paramref name="members"/>, every other node's from its own room index, so the backplane carries one message,
    /// not one per member.
    /// </summary>
    void PublishRoomEvent(string room, IReadOnlyCollection<string> members, string except, ChatEvent e);
}

internal sealed class LocalWakeUpBus(FeedWaiters waiters) : IWakeUpBus
{
    public BusState State => BusState.Local;

    public Task MaintainAsync(CancellationToken ct) => Task.CompletedTask;

    public void Publish(WakeUp wake)
    {
        foreach (var user in wake.Users)
            waiters.Wake(user, user == wake.Sender ? wake.SenderClient : null);
    }

    public void Share(CommittedBatch batch) { } // no other node listens: they find the commits in the store

    public void PublishEvent(string user, ChatEvent e) => waiters.Publish(user, e);

    public void PublishRoomEvent(string room, IReadOnlyCollection<string> members, string except, ChatEvent e) =>
        waiters.Publish(members, except, e);
}

/// <summary>A token ended: one (by its SHA-256), or every token of the user issued so far (<see cref="TokenHash"/> null).</summary>
internal readonly record struct TokenRevocation(string User, string? TokenHash);

/// <summary>
/// Token revocations told to every node (Chat:Backplane=redis), so each drops them from its token cache and ends the
/// connections they opened. <see cref="Live"/> is false while a revocation could be missed (backplane down): then
/// cached tokens are checked against the store again every heartbeat.
/// </summary>
internal interface IClusterRevocations
{
    bool Live { get; }
    void Publish(TokenRevocation revocation);
    /// <summary>Raised for other nodes' revocations, and with a null user after a reconnect (anything may have been missed).</summary>
    event Action<TokenRevocation?>? Received;
}
