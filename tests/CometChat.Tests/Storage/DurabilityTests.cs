using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Storage;

public sealed partial class DurabilityTests
{
    [Fact]
    public async Task RestartKeepsEveryMessageOrderCursorAndIdempotency()
    {
        using var dir = new TempDirectory();
        long[] before;
        long cursor;
        await using (var server = await ChatServer.StartAsync(dir: dir))
        {
            var alice = await server.LoginAsync("alice");
            var bob = await server.LoginAsync("bob");
            for (var i = 0; i < 20; i++) await alice.SendAsync("bob", "m" + i, id: "k" + i);
            var page = await bob.GetAsync("api/messages?since=0&limit=10");
            cursor = page.GetProperty("cursor").GetInt64();
            before = TestUser.Mids(await bob.GetAsync("api/messages?since=0"));

            await server.RestartAsync();
            alice = await server.LoginAsync("alice");
            bob = await server.LoginAsync("bob");
            TestUser.Mids(await bob.GetAsync("api/messages?since=0")).ShouldBe(before);
            TestUser.Mids(await bob.GetAsync($"api/messages?since={cursor}")).ShouldBe(before[10..]);
            var dup = await alice.SendAsync("bob", "m3", id: "k3");
            dup.GetProperty("duplicate").GetBoolean().ShouldBeTrue();
            dup.GetProperty("mid").GetInt64().ShouldBe(before[3]);
            (await alice.SendAsync("bob", "after")).GetProperty("mid").GetInt64().ShouldBeGreaterThan(before[^1]);
        }
    }

    [Fact]
    public async Task KillDashNineAfterAcknowledgedBurstLosesNothing()
    {
        using var dir = new TempDirectory();
        var db = dir.File("chat.db");
        var dll = Path.Combine(AppContext.BaseDirectory, "CometChat.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--Chat:Database=" + db, "--Chat:Http:Address=127.0.0.1", "--Chat:Http:Port=0",
                "--Chat:Socket:Port=0", "--Chat:Socket:Address=127.0.0.1", "--Chat:Auth:Key=" + ChatServer.Key,
                "--Chat:Auth:HashIterations=1000", "--Logging:LogLevel:Default=Information" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir.Path,
        };
        using var process = Process.Start(psi)!;
        var acknowledged = new List<long>();
        try
        {
            var port = await ReadPortAsync(process).DefaultTimeout();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var tokens = new List<string>();
            foreach (var name in new[] { "a", "b", "c", "d" })
            {
                using var login = await http.PostAsync("api/login", ChatServer.Form(("name", name), ("password", "pw")));
                tokens.Add((await ChatServer.ReadJsonAsync(login, HttpStatusCode.OK)).GetProperty("token").GetString()!);
            }
            var sends = Enumerable.Range(0, 400).Select(async i =>
            {
                using var res = await http.PostAsync("api/messages",
                    ChatServer.Form(("token", tokens[i % 4]), ("to", "abcd"[(i + 1) % 4].ToString()), ("body", "burst " + i), ("id", "burst" + i)));
                var json = await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
                lock (acknowledged) acknowledged.Add(json.GetProperty("mid").GetInt64());
            });
            await Task.WhenAll(sends).DefaultTimeout();
        }
        finally
        {
            process.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no final checkpoint
            await process.WaitForExitAsync().DefaultTimeout();
        }

        await using var server = await ChatServer.StartAsync(dir: dir);
        var all = new List<long>();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            var user = await server.LoginAsync(name, "pw");
            all.AddRange(TestUser.Mids(await user.GetAsync("api/messages?since=0&limit=500")));
        }
        // Every message sits in its sender's and its recipient's feed: exactly twice overall.
        var counts = all.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        foreach (var mid in acknowledged) counts.GetValueOrDefault(mid).ShouldBe(2, $"mid {mid} was acknowledged");
        acknowledged.Count.ShouldBe(400);
    }

    private static async Task<int> ReadPortAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            var m = ListeningLine().Match(line);
            if (m.Success) return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException("The server exited before listening: " + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
