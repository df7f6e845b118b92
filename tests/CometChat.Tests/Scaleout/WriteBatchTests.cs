using CometChat.Core;

namespace CometChat.Tests.Scaleout;

/// <summary>
/// On PostgreSQL a write batch reads its direct sends' checks (does the recipient exist, do they block the sender) once,
/// with the write lock, so the sends cost no round trip inside it. What the batch itself changes comes after that read:
/// the checks after a block or an unblock in the same batch read the store again.
/// </summary>
public sealed class WriteBatchTests
{
    [Fact]
    public async Task ABatchsChecksReadAtItsStartGiveWayToItsOwnBlocks()
    {
        await using var cluster = await Cluster.StartAsync(1);
        await cluster[0].LoginAsync("alice");
        await cluster[0].LoginAsync("bob");

        using var tx = cluster[0].Get<IMessageStore>().BeginWrite([("bob", "alice"), ("nobody", "alice")]);
        tx.Users.UserAndBlock("bob", "alice").ShouldBe((true, false));
        tx.Users.UserAndBlock("nobody", "alice").ShouldBe((false, false));
        tx.Users.Block("bob", "alice", 0).ShouldBeTrue();
        tx.Users.UserAndBlock("bob", "alice").ShouldBe((true, true));
        tx.Users.Unblock("bob", "alice").ShouldBeTrue();
        tx.Users.UserAndBlock("bob", "alice").ShouldBe((true, false));
    }
}
