using CometChat.Core;
using Npgsql;

namespace CometChat.Storage.Postgres;

/// <summary>
/// One node at a time delivers the desk's outbox: the one holding a session-level advisory lock on a
/// connection of its own. If that node dies its connection closes, the lock is freed, and another node's
/// next pass (every heartbeat) takes it over.
/// </summary>
internal sealed class PostgresOutboxLease(PostgresDatabase db) : IOutboxLease, IDisposable
{
    private const long LeaseLock = 0x436f6d65744f7574; // "CometOut"
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;
    private bool _held;

    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            _connection ??= db.Open();
            if (!_held)
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", _connection);
                cmd.Parameters.AddWithValue("key", LeaseLock);
                _held = (bool)(await cmd.ExecuteScalarAsync(ct))!;
            }
            else
            {
                // Still ours only while the connection lives.
                await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                await ping.ExecuteScalarAsync(ct);
            }
            return _held;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or StoreUnavailableException)
        {
            Reset();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Reset()
    {
        _held = false;
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose()
    {
        Reset();
        _gate.Dispose();
    }
}
