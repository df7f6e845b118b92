using System.Diagnostics;
using System.Net;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Hardening;

/// <summary>
/// Real store faults, not mocks: a lock held by another process, a full disk (a small tmpfs), and a
/// read-only database (chattr +i). Each must answer 503, acknowledge nothing, and recover by itself.
/// The disk and read-only faults need root (CI runs as root) and fail loudly without it.
/// </summary>
public sealed class StoreFaultTests
{
    private static readonly Dictionary<string, string?> FastBusy = new() { ["Chat:DatabaseBusyTimeoutSeconds"] = "1" };

    [Fact]
    public async Task DatabaseLockedByAnotherProcessAnswers503ThenRecovers()
    {
        await using var server = await ChatServer.StartAsync(FastBusy);
        var alice = await server.LoginAsync("alice");
        var bob = await server.LoginAsync("bob");
        var before = (await alice.SendAsync("bob", "before")).GetProperty("mid").GetInt64();

        using (var locker = await HoldExclusiveLockAsync(server.DatabasePath))
        {
            await ExpectUnavailableAsync(server, alice, "during-lock");
            TestUser.Mids(await bob.GetAsync("api/messages?since=0")).ShouldBe([before]); // readers keep reading
            locker.Kill();
            await locker.WaitForExitAsync().DefaultTimeout();
        }
        await ExpectRecoveredAsync(server, alice, bob, "during-lock", before);
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("replaced")]
    public async Task ADatabaseFileDeletedOrReplacedUnderTheServerAnswers503AndAcknowledgesNothing(string how)
    {
        using var dir = new TempDirectory();
        await using var server = await ChatServer.StartAsync(dir: dir);
        var alice = await server.LoginAsync("alice");
        var bob = await server.LoginAsync("bob");
        await alice.SendAsync("bob", "before");

        var db = server.DatabasePath;
        if (how == "deleted")
            foreach (var f in new[] { db, db + "-wal", db + "-shm" }) File.Delete(f); // rm chat.db*
        else
        {
            File.Move(db, db + ".old");
            File.Copy(db + ".old", db); // the same bytes, another file
        }

        // Sends to a file that is gone would be gone at the next start: none is acknowledged, and it stays so.
        for (var i = 0; i < 15; i++) await ExpectUnavailableAsync(server, alice, "after-" + i);
        using (var history = await alice.RawGetAsync("api/history?with=bob")) history.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        if (how == "deleted") File.Exists(db).ShouldBeFalse(); // and no empty database was made in its place

        // The operator acts: the file is back (here: the replaced one restored), the server restarted, and it serves.
        if (how == "replaced") File.Move(db + ".old", db, overwrite: true);
        await server.RestartAsync();
        using (var health = await server.Http.GetAsync("healthz")) health.StatusCode.ShouldBe(HttpStatusCode.OK);
        if (how == "replaced") (await bob.FeedAsync(0)).Select(m => m.GetProperty("body").GetString()).ShouldBe(["before"]);
    }

    [Fact]
    public async Task DiskFullAnswers503ThenRecoversWhenSpaceReturns()
    {
        using var dir = new TempDirectory();
        Run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", dir.Path);
        try
        {
            await using var server = await ChatServer.StartAsync(FastBusy, dir);
            var alice = await server.LoginAsync("alice");
            var bob = await server.LoginAsync("bob");
            var before = (await alice.SendAsync("bob", "before")).GetProperty("mid").GetInt64();

            var filler = dir.File("filler");
            Fill(filler);
            await ExpectUnavailableAsync(server, alice, "while-full", body: new string('x', 3000));
            File.Delete(filler);
            await ExpectRecoveredAsync(server, alice, bob, "while-full", before, body: new string('x', 3000));
            await server.StopAppAsync();
        }
        finally
        {
            Run("umount", "-l", dir.Path);
        }
    }

    [Fact]
    public async Task ReadOnlyDatabaseAnswers503ThenRecovers()
    {
        using var dir = new TempDirectory();
        await using var server = await ChatServer.StartAsync(FastBusy, dir);
        var alice = await server.LoginAsync("alice");
        var bob = await server.LoginAsync("bob");
        var before = (await alice.SendAsync("bob", "before")).GetProperty("mid").GetInt64();
        // Not the -shm index: it is mmapped, and an immutable mapping faults (SIGBUS) instead of failing a write.
        var files = new[] { "chat.db", "chat.db-wal" }.Select(dir.File).Where(File.Exists).ToArray();
        Run(["chattr", "+i", .. files]);
        try
        {
            await ExpectUnavailableAsync(server, alice, "while-readonly");
        }
        finally
        {
            Run(["chattr", "-i", .. files]);
        }
        await ExpectRecoveredAsync(server, alice, bob, "while-readonly", before);
    }

    private static async Task ExpectUnavailableAsync(ChatServer server, TestUser alice, string id, string body = "lost?")
    {
        using var res = await server.Http.SendAsync(alice.Request(HttpMethod.Post, "api/messages", ChatServer.Form(("to", "bob"), ("body", body), ("id", id))));
        var problem = await ChatServer.ReadJsonAsync(res, HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("code").GetString().ShouldBe("unavailable");
        problem.GetProperty("detail").GetString()!.ShouldContain("same id");
        using var health = await server.Http.GetAsync("healthz");
        health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    private static async Task ExpectRecoveredAsync(ChatServer server, TestUser alice, TestUser bob, string id, long before, string body = "lost?")
    {
        using (var health = await server.Http.GetAsync("healthz")) health.StatusCode.ShouldBe(HttpStatusCode.OK);
        var retry = await alice.SendAsync("bob", body, id: id);
        retry.TryGetProperty("duplicate", out _).ShouldBeFalse(); // the failed attempt stored nothing
        TestUser.Mids(await bob.GetAsync("api/messages?since=0")).ShouldBe([before, retry.GetProperty("mid").GetInt64()]);
    }

    /// <summary>Another process (python's sqlite3) takes the write lock and holds it until killed.</summary>
    private static async Task<Process> HoldExclusiveLockAsync(string db)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import sqlite3,sys\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\nsys.stdin.read()");
        psi.ArgumentList.Add(db);
        var p = Process.Start(psi)!;
        (await p.StandardOutput.ReadLineAsync().DefaultTimeout()).ShouldBe("locked");
        return p;
    }

    private static void Fill(string path)
    {
        using var f = File.OpenWrite(path);
        var chunk = new byte[64 * 1024];
        try { while (true) f.Write(chunk); }
        catch (IOException) { } // ENOSPC: the disk is full
    }

    internal static void Run(params string[] command)
    {
        using var p = Process.Start(new ProcessStartInfo(command[0], command[1..]) { RedirectStandardError = true })!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed ({p.ExitCode}): {error}. Store fault tests need root (mount, chattr), as CI has.");
    }
}
