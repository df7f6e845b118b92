using CometChat.Core;
using CometChat.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CometChat.Tests.Scaleout;

/// <summary>
/// Several in-process nodes, each its own Kestrel on port 0, sharing one fresh PostgreSQL database, one
/// Redis (under a prefix of this cluster's own) and one fake clock.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly PostgresTestDatabase _database;

    private Cluster(PostgresTestDatabase database, ChatServer[] nodes, FakeTimeProvider time)
    {
        _database = database;
        Nodes = nodes;
        Time = time;
    }

    public ChatServer[] Nodes { get; }
    public FakeTimeProvider Time { get; }
    public string DatabaseName => _database.Name;
    public string ConnectionString => _database.ConnectionString;

    /// <summary>Starts <paramref name="count"/> nodes together (so they also race on the schema migration).</summary>
    public static async Task<Cluster> StartAsync(int count, Dictionary<string, string?>? settings = null, string? redis = null, bool backplane = true)
    {
        var database = await PostgresTestDatabase.CreateAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var node = TestServices.Node(database.ConnectionString, "cc-test-" + Guid.NewGuid().ToString("n"), redis);
        if (!backplane) node["Chat:Backplane"] = "none";
        node = node.With(settings ?? []);
        var nodes = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => ChatServer.StartAsync(node, time: time)));
        // Each node subscribes in the background; until then wake-ups from the others would not reach it.
        if (backplane) await ClusterTests.WaitAsync(() => nodes.All(n => n.Get<IWakeUpBus>().State == BusState.Up));
        return new Cluster(database, nodes, time);
    }

    public ChatServer this[int i] => Nodes[i];

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes) await n.DisposeAsync();
        await _database.DisposeAsync();
    }
}

internal static class ClusterUsers
{
    /// <summary>The same user (same token) talking to another node.</summary>
    public static TestUser On(this TestUser user, ChatServer node) => user with { Server = node };
}
