using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Im;

/// <summary>
/// A fresh server for each test with alice, bob and carol logged in: on SQLite, or on the backend a subclass names
/// (ImOnPostgresTests.cs runs the same tests on PostgreSQL).
/// </summary>
public abstract class ImServerTests : IAsyncLifetime
{
    protected virtual Dictionary<string, string?> Backend => [];

    private protected ChatServer Server = null!;
    private protected TestUser Alice = null!, Bob = null!, Carol = null!;

    public async Task InitializeAsync()
    {
        Server = await ChatServer.StartAsync(Backend, users: ["alice", "bob", "carol"]);
        (Alice, Bob, Carol) = (Server.User("alice"), Server.User("bob"), Server.User("carol"));
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
