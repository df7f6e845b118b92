using CometChat.Core;

namespace CometChat.Storage;

/// <summary>The desk's role in the writer's transaction (<see cref="IWrites.Desk"/>): its SQL is <see cref="SqlDeskWrites"/>'s, on the same connection and transaction.</summary>
internal sealed partial class SqlWriteTransaction
{
    private SqlDeskWrites? _desk;

    /// <summary>The desk's writes run on the connection directly, so whatever is queued is sent first.</summary>
    public IDeskWrites Desk
    {
        get
        {
            Flush();
            return _desk ??= new SqlDeskWrites(_w.Connection, _tx);
        }
    }
}
