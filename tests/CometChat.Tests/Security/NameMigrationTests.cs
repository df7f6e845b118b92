using System.Net;
using System.Text.Json;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Security;

/// <summary>
/// Issue 11 hole 2, existing databases: names stored before the profile are renamed at start (never merged), and
/// every message stays with its sender and recipient. The fixture was written by the server before this change
/// (InvariantGlobalization on, no profile): users Alice, alice, Jörg composed and decomposed, ann + U+034F,
/// Cyrillic аnn, bob, full-width ａdmin; rooms Lobby and lobby; eleven messages between them.
/// </summary>
public sealed class NameMigrationTests
{
    private static string Fixture => Path.Combine(ChatServer.RepoRoot, "tests", "CometChat.Tests", "Security", "Fixtures", "names-before-profile.sqlite");

    [Fact]
    public async Task ADatabaseWithCollidingNamesFromBeforeIsMigratedLosingNoMessage()
    {
        using var dir = new TempDirectory();
        File.Copy(Fixture, dir.File("chat.db"));
        await using var server = await ChatServer.StartAsync(dir: dir);

        // Each account keeps its password under its new name; the two that collided were not merged.
        (await server.LoginAsync("alice", "pw-alice")).Name.ShouldBe("alice");
        var capital = await server.LoginAsync("alice-2", "pw-Alice");
        (await LoginStatusAsync(server, "Alice", "pw-Alice")).ShouldBe(HttpStatusCode.Unauthorized); // Alice is alice now
        var decomposed = await server.LoginAsync("j\u00F6rg", "pw-decomposed");
        var composed = await server.LoginAsync("j\u00F6rg-2", "pw-composed");
        (await server.LoginAsync("ann", "pw-invisible")).Name.ShouldBe("ann"); // the invisible mark is gone
        (await server.LoginAsync("\u0430nn", "pw-cyrillic")).Name.ShouldBe("\u0430nn"); // an older look-alike is kept (and reported)
        (await server.LoginAsync("admin-2", "pw-fullwidth")).Name.ShouldBe("admin-2"); // 'admin' is reserved
        var bob = await server.LoginAsync("bob", "pw-bob");

        // Every message is still there, with its sender and recipient renamed, in history and in the feed.
        var feed = await bob.FeedAsync(0);
        feed.Select(m => (m.Str("from"), m.Str("to"), m.Str("body"))).ShouldBe(
        [
            ("alice-2", "bob", "from Alice (capital)"),
            ("alice", "bob", "from alice (small)"),
            ("bob", "alice-2", "to Alice (capital)"),
            ("j\u00F6rg", "bob", "decomposed to bob"),
            ("ann", "bob", "invisible ann here"),
            ("\u0430nn", "bob", "cyrillic ann here"),
            ("bob", "#lobby", "joined"),
            ("bob", "#lobby", "in lobby"),
        ]);
        Bodies(await capital.GetAsync("api/history?with=bob")).ShouldBe(["from Alice (capital)", "to Alice (capital)"]);
        Bodies(await composed.GetAsync("api/history?with=j%C3%B6rg")).ShouldBe(["composed to decomposed"]);
        Bodies(await decomposed.GetAsync("api/history?with=j%C3%B6rg-2")).ShouldBe(["composed to decomposed"]);

        // The rooms too: Lobby became lobby-2, with its member and scrollback.
        Bodies(await capital.GetAsync("api/history?with=%23lobby-2")).ShouldBe(["joined", "in Lobby"]);
        Bodies(await bob.GetAsync("api/history?with=%23lobby")).ShouldBe(["joined", "in lobby"]);
        await capital.SendAsync("#lobby-2", "still a member");

        // From now on a new look-alike is refused.
        (await LoginStatusAsync(server, "b0b", "x")).ShouldBe(HttpStatusCode.Forbidden);

        // The migration ran once: a restart renames nothing more.
        await server.RestartAsync();
        (await server.LoginAsync("alice-2", "pw-Alice")).Name.ShouldBe("alice-2");
        (await bob.FeedAsync(0)).Length.ShouldBe(feed.Length + 0);
    }

    private static async Task<HttpStatusCode> LoginStatusAsync(ChatServer server, string name, string password)
    {
        using var res = await server.Http.PostAsync("api/login", ChatServer.Form(("name", name), ("password", password)));
        return res.StatusCode;
    }

    private static string[] Bodies(JsonElement page) => [.. page.GetProperty("messages").EnumerateArray().Select(m => m.Str("body"))];
}
