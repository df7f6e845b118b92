using System.Diagnostics;
using System.Net;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Security;

/// <summary>Issue 11 hole 1: names with a role (agents, reserved names, guests) are never claimed by a first login.</summary>
public class ReservedNameTests : IAsyncLifetime
{
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;

    public async Task InitializeAsync() => _server = await ChatServer.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Support:Agents:0"] = "ann",
        ["Chat:Support:Agents:1"] = "zed",
        ["Chat:Auth:ReservedNames:0"] = "boss",
        [ChatServer.PasswordSetting("zed", "zeds-own-password").Key] = ChatServer.PasswordSetting("zed", "zeds-own-password").Value,
    }.With(Backend));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> LoginAsync(string name, string password) =>
        await _server.Http.PostAsync("api/login", ChatServer.Form(("name", name), ("password", password)));

    [Fact]
    public async Task AnAgentsNameCannotBeSquattedByAFirstLogin()
    {
        using var squat = await LoginAsync("ann", "x");
        (await ChatServer.ReadJsonAsync(squat, HttpStatusCode.Forbidden)).Detail().ShouldContain("'name'");

        // The squatter gets no token, so the next customer's session reaches the real ann only.
        var ann = await _server.MintedUserAsync("ann");
        await ann.GetAsync("api/messages"); // online
        var kim = await _server.LoginAsync("kim");
        var sid = (await kim.SendAsync("@support", "my card number is ...")).Num("sid");
        (await ann.FeedAsync(ann.Cursor)).ShouldContain(m => m.Str("body") == "my card number is ..." && m.Num("sid") == sid);
        using var again = await LoginAsync("ann", "x");
        again.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("support")]
    [InlineData("admin")]
    [InlineData("boss")]
    [InlineData("guest-7f3a")]
    public async Task ReservedNamesAreRefusedToFirstLogins(string name)
    {
        using var res = await LoginAsync(name, "pw");
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.Forbidden)).Detail().ShouldContain("'name'");
        var jsonp = await _server.Http.GetStringAsync($"api/login?name={name}&password=pw&callback=cb");
        ChatServer.ParseJsonp(jsonp, "cb").GetProperty("error").GetProperty("status").GetInt32().ShouldBe(403);
    }

    [Fact]
    public async Task AnAgentSignsInWithThePasswordTheOperatorConfigured()
    {
        using var wrong = await LoginAsync("zed", "guess");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var right = await LoginAsync("zed", "zeds-own-password");
        var json = await ChatServer.ReadJsonAsync(right, HttpStatusCode.OK);
        json.Str("user").ShouldBe("zed");
        using var me = await _server.Http.GetAsync("api/me?token=" + json.Str("token"));
        me.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AReservedNamesPasswordFromAnOlderFirstLoginIsRemovedAtStart()
    {
        await using var store = await SharedStore.CreateAsync(Backend);
        await using (var before = await ChatServer.StartAsync(store.Settings, store.Directory))
            await before.LoginAsync("bea", "squatters-password");

        // The operator makes bea an agent: the squatter's password no longer opens the account.
        await using var after = await ChatServer.StartAsync(new Dictionary<string, string?> { ["Chat:Support:Agents:0"] = "bea" }.With(store.Settings), store.Directory);
        using var res = await after.Http.PostAsync("api/login", ChatServer.Form(("name", "bea"), ("password", "squatters-password")));
        res.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await after.MintedUserAsync("bea")).Name.ShouldBe("bea");
    }

    [Fact]
    public async Task HashPasswordMakesAHashTheServerAccepts()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CometChat.dll"));
        psi.ArgumentList.Add("hash-password");
        psi.ArgumentList.Add("ann");
        psi.ArgumentList.Add("--Chat:Auth:HashIterations=1000");
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteLineAsync("correct horse");
        p.StandardInput.Close();
        var hash = (await p.StandardOutput.ReadToEndAsync().DefaultTimeout()).Trim();
        await p.WaitForExitAsync().DefaultTimeout();
        p.ExitCode.ShouldBe(0);
        hash.ShouldStartWith("pbkdf2-sha256$1000$");
        CometChat.Core.PasswordHash.Verify("correct horse", hash).ShouldBeTrue();

        await using var server = await ChatServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Support:Agents:0"] = "ann", ["Chat:Auth:Passwords:ann"] = hash,
        });
        (await server.LoginAsync("ann", "correct horse")).Name.ShouldBe("ann");
    }
}
