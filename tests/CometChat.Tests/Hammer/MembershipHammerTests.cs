using CometChat.Tests.Infrastructure;
using CometChat.Tests.Scaleout;

namespace CometChat.Tests.Hammer;

/// <summary>The membership race hammer (see <see cref="MembershipHammer"/>) on each store.</summary>
public sealed class MembershipHammerTests
{
    [Fact]
    public async Task OnSqliteEveryReaderGetsExactlyTheOracleFeedAcrossARestart()
    {
        await using var server = await ChatServer.StartAsync();
        var hammer = new MembershipHammer([server]);
        await hammer.StartReadersAsync();
        try
        {
            // Half-way, the server stops (parked polls answered, streams ended) and starts again over the same file.
            await hammer.WriteAsync(midway: server.RestartAsync).WaitAsync(TimeSpan.FromSeconds(60));
            await hammer.VerifyAsync();
        }
        finally
        {
            await hammer.StopReadersAsync();
        }
    }

    [Fact]
    public async Task OnPostgresAcrossThreeNodesEveryReaderGetsExactlyTheOracleFeed()
    {
        await using var cluster = await Cluster.StartAsync(3);
        var hammer = new MembershipHammer(cluster.Nodes, seed: 2);
        await hammer.StartReadersAsync();
        try
        {
            await hammer.WriteAsync().WaitAsync(TimeSpan.FromSeconds(90));
            await hammer.VerifyAsync();
        }
        finally
        {
            await hammer.StopReadersAsync();
        }
    }
}
