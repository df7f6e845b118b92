using System.Collections.Concurrent;

namespace CometChat.Core;

/// <summary>
/// The open requests and connections with the token each was authenticated by, so that ending a token (logout,
/// password change, account deletion) also ends what it already opened: a parked poll, a stream, a WebSocket or a
/// TCP socket is aborted (its client reconnects and is refused), not left reading the feed. Revocations are rare,
/// so they scan every holder rather than keep an index that would need its own locking.
/// </summary>
internal sealed class TokenHolders
{
    private readonly ConcurrentDictionary<Holder, byte> _holders = new();

    /// <summary>Registers one request or connection until the returned holder is disposed.</summary>
    public Holder Track(string user, string tokenHash, Action abort)
    {
        var holder = new Holder(this, user, tokenHash, abort);
        _holders.TryAdd(holder, 0);
        return holder;
    }

    /// <summary>Aborts <paramref name="user"/>'s holders of <paramref name="tokenHash"/> (null: of every token), except <paramref name="except"/>.</summary>
    public void Abort(string user, string? tokenHash, Holder? except = null)
    {
        foreach (var (h, _) in _holders)
            if (h != except && h.User == user && (tokenHash is null || h.TokenHash == tokenHash))
                h.Abort();
    }

    internal sealed class Holder(TokenHolders owner, string user, string tokenHash, Action abort) : IDisposable
    {
        public string User { get; } = user;
        public string TokenHash { get; } = tokenHash;

        public void Abort()
        {
            try { abort(); }
            catch (ObjectDisposedException) { } // already closed
        }

        public void Dispose() => owner._holders.TryRemove(this, out _);
    }
}
