using System.Net;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Security;

/// <summary>Issue 11 hole 2 through the API: every input of the issue, in login, minted tokens and rooms, on both stores.</summary>
public class NameTests : IAsyncLifetime
{
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;

    public async Task InitializeAsync() => _server = await ChatServer.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Support:Agents:0"] = "zed",
    }.With(Backend));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Text)> LoginAsync(string name, string password = "pw")
    {
        using var res = await _server.Http.PostAsync("api/login", ChatServer.Form(("name", name), ("password", password)));
        var text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, res.IsSuccessStatusCode ? text : System.Text.Json.JsonDocument.Parse(text).RootElement.Detail());
    }

    [Fact]
    public async Task ComposedAndDecomposedJoergAreOneAccount()
    {
        var composed = await _server.LoginAsync("J\u00F6rg", "joergs");
        var decomposed = await _server.LoginAsync("Jo\u0308rg", "joergs");
        decomposed.Name.ShouldBe(composed.Name);
        composed.Name.ShouldBe("j\u00F6rg");
        (await LoginAsync("Jo\u0308rg", "someone else")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        // A minted token names the same account, whichever way the site spelled it.
        (await _server.MintedUserAsync("JO\u0308RG")).Name.ShouldBe("j\u00F6rg");
    }

    [Theory]
    [InlineData("ann\u034F")]
    [InlineData("ann\uFE0F")]
    [InlineData("ann\u3164")]
    [InlineData("ann\u17B4")]
    [InlineData("\u0301\u0301")]
    [InlineData("\u3164")]
    [InlineData("..")]
    public async Task InvisibleBlankAndMarkOnlyNamesAre400(string name)
    {
        var (status, text) = await LoginAsync(name);
        status.ShouldBe(HttpStatusCode.BadRequest);
        text.ShouldContain("'name'");
        using var me = await _server.Http.GetAsync("api/me?token=" + Uri.EscapeDataString(_server.MintToken(name, TimeSpan.FromHours(1))));
        me.StatusCode.ShouldBe(HttpStatusCode.Unauthorized); // a minted token cannot carry such a name either
    }

    [Fact]
    public async Task LookAlikesOfExistingAndReservedNamesAreRefused()
    {
        await _server.LoginAsync("ann");
        var (status, text) = await LoginAsync("\u0430nn"); // Cyrillic a
        status.ShouldBe(HttpStatusCode.Forbidden);
        text.ShouldContain("'name'");
        text.ShouldContain("'ann'");
        (await _server.LoginAsync("\uFF41nn", "secret")).Name.ShouldBe("ann"); // full-width: the same ann, not a second one
        (await LoginAsync("support")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await LoginAsync("Zed")).Status.ShouldBe(HttpStatusCode.Forbidden); // Zed is the agent zed
        (await LoginAsync("z\u0435d")).Status.ShouldBe(HttpStatusCode.Forbidden); // Cyrillic e: looks like the agent
        (await LoginAsync("supp0rt")).Status.ShouldBe(HttpStatusCode.Forbidden);
        using var minted = await _server.Http.GetAsync("api/me?token=" + _server.MintToken("\u0430nn", TimeSpan.FromHours(1)));
        (await ChatServer.ReadJsonAsync(minted, HttpStatusCode.Forbidden)).Detail().ShouldContain("'token'");
        (await _server.LoginAsync("anna")).Name.ShouldBe("anna"); // a different name is fine
    }

    [Fact]
    public async Task RoomNamesFollowTheSameProfile()
    {
        var alice = await _server.LoginAsync("alice");
        var joined = await alice.PostAsync("api/rooms/Lobby/join");
        joined.Str("room").ShouldBe("#lobby");
        (await alice.PostAsync("api/rooms/lobby/join")).GetProperty("changed").GetBoolean().ShouldBeFalse();
        (await alice.PostAsync("api/rooms/l0bby/join", HttpStatusCode.Forbidden)).Detail().ShouldContain("'room'");
        (await alice.PostAsync("api/rooms/lobby%E2%80%8B/join", HttpStatusCode.BadRequest)).Detail().ShouldContain("'room'");
    }
}
