using System.Net;
using System.Text.Json;
using CometChat.Tests.Infrastructure;
using Npgsql;

namespace CometChat.Tests.Storage;

/// <summary>
/// A database written by the server of schema version 1 (fan-out on write: an inbox row per room member) opens
/// under the current schema with every message, membership, cursor and history page intact, and rooms then go on
/// by membership intervals. The fixtures are real: Fixtures/make-v1.sh ran the v1 server (commit 1502fe0) through
/// one story (two rooms, a join, a leave, direct messages, a receipt, a support session) on both engines and
/// kept its files and its answers.
/// </summary>
public sealed class MigrationTests
{
    private static string Fixture(string name) => Path.Combine(ChatServer.RepoRoot, "tests", "CometChat.Tests", "Storage", "Fixtures", name);

    // An agent's name is reserved: ann signs in with the password the operator configured (her v1 first-login one is dropped).
    private static readonly Dictionary<string, string?> Agents = new()
    {
        ["Chat:Support:Agents:0"] = "ann", [ChatServer.PasswordSetting("ann", "pw-ann").Key] = ChatServer.PasswordSetting("ann", "pw-ann").Value,
    };

    [Fact]
    public async Task AVersion1SqliteFileOpensWithEverythingIntact()
    {
        using var dir = new TempDirectory();
        File.Copy(Fixture("v1.db"), dir.File("chat.db"));
        await using var server = await ChatServer.StartAsync(Agents, dir: dir);
        await AssertIntactAndRoomsGoOnAsync(server, Fixture("v1-expected.json"));
    }

    [Fact]
    public async Task AVersion1PostgresDatabaseOpensWithEverythingIntact()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using (var c = new NpgsqlConnection(database.ConnectionString))
        {
            await c.OpenAsync();
            await using var restore = new NpgsqlCommand(await File.ReadAllTextAsync(Fixture("v1-postgres.sql")), c);
            await restore.ExecuteNonQueryAsync();
        }
        await using var server = await ChatServer.StartAsync(new(Agents)
        {
            ["Chat:Store"] = "postgres",
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
        });
        await AssertIntactAndRoomsGoOnAsync(server, Fixture("v1-postgres-expected.json"));
    }

    private static async Task AssertIntactAndRoomsGoOnAsync(ChatServer server, string expectedFile)
    {
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(expectedFile)).RootElement;
        var users = new Dictionary<string, TestUser>();
        foreach (var name in new[] { "alice", "bob", "carol", "kim", "ann" }) users[name] = await server.LoginAsync(name, "pw-" + name);
        var head = expected.GetProperty("head").GetInt64();
        users["alice"].Cursor.ShouldBe(head);

        // Every feed, message for message, as the v1 server answered it; and every page boundary in between.
        foreach (var (name, user) in users)
        {
            var want = expected.GetProperty("feeds").GetProperty(name);
            Canonical((await user.GetAsync("api/messages?since=0&limit=500")).GetProperty("messages")).ShouldBe(Canonical(want), name);
            var paged = new List<long>();
            for (long cursor = 0; ;)
            {
                var page = await user.GetAsync($"api/messages?since={cursor}&limit=2");
                paged.AddRange(TestUser.Mids(page));
                cursor = page.GetProperty("cursor").GetInt64();
                if (!page.GetProperty("more").GetBoolean()) break;
            }
            paged.ShouldBe(want.EnumerateArray().Select(m => m.GetProperty("mid").GetInt64()), name);
        }
        Canonical((await users["alice"].GetAsync("api/history?with=%23lobby&limit=100")).GetProperty("messages"))
            .ShouldBe(Canonical(expected.GetProperty("history").GetProperty("lobby")));
        Canonical((await users["alice"].GetAsync("api/history?with=bob&limit=100")).GetProperty("messages"))
            .ShouldBe(Canonical(expected.GetProperty("history").GetProperty("alice-bob")));
        (await users["carol"].GetAsync("api/rooms/%23lobby")).GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("user").GetString()).ShouldBe(["alice", "carol"]);

        // A v1 room message still takes receipts from those who got it (bob was in #lobby for "hello room").
        var hello = expected.GetProperty("feeds").GetProperty("bob").EnumerateArray().First(m => m.GetProperty("body").GetString() == "hello room");
        using (var receipt = await server.Http.SendAsync(users["bob"].Request(HttpMethod.Post, "api/receipts",
            ChatServer.Form(("ref", hello.GetProperty("mid").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)), ("state", "read")))))
            receipt.StatusCode.ShouldBe(HttpStatusCode.OK);

        // The migrated members go on receiving by interval; the one who left before the migration does not.
        var after = (await users["alice"].SendAsync("#lobby", "after the migration")).GetProperty("mid").GetInt64();
        after.ShouldBeGreaterThan(head);
        TestUser.Mids(await users["carol"].GetAsync($"api/messages?since={head}")).ShouldBe([after]);
        TestUser.Mids(await users["bob"].GetAsync($"api/messages?since={head}")).ShouldNotContain(after);
        using (var join = await server.Http.SendAsync(users["bob"].Request(HttpMethod.Post, "api/rooms/lobby/join"))) join.StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = (await users["carol"].SendAsync("#lobby", "welcome back")).GetProperty("mid").GetInt64();
        var bobs = (await users["bob"].GetAsync($"api/messages?since={after}")).GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("kind").GetString(), m.GetProperty("mid").GetInt64())).ToList();
        bobs[^1].ShouldBe(("text", again));
        bobs.Select(b => b.Item1).ShouldContain("join");
    }

    /// <summary>A feed or history as comparable text: every field as the server wrote it.</summary>
    private static List<string> Canonical(JsonElement messages) =>
        [.. messages.EnumerateArray().Select(m => string.Join("|", m.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name + "=" + p.Value.GetRawText())))];
}
