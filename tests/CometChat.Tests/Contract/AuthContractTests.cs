using System.Net;
using System.Text;
using CometChat.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CometChat.Tests.Contract;

public class AuthContractTests : IAsyncLifetime
{
    /// <summary>Extra settings of a subclass that runs these tests on another backend (see Scaleout/PostgresSuiteTests.cs).</summary>
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;

    public async Task InitializeAsync() => _server = await ChatServer.StartAsync(Backend);
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FirstLoginClaimsTheNameAndLaterLoginsMustMatch()
    {
        var alice = await _server.LoginAsync("alice", "pw1");
        alice.Name.ShouldBe("alice");
        alice.Token.Split('.').Length.ShouldBe(3);
        (await _server.LoginAsync("alice", "pw1")).Name.ShouldBe("alice");

        using var wrong = await _server.Http.PostAsync("api/login", ChatServer.Form(("name", "alice"), ("password", "nope")));
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var problem = await ChatServer.ReadJsonAsync(wrong, HttpStatusCode.Unauthorized);
        problem.GetProperty("code").GetString().ShouldBe("unauthorized");
        wrong.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Theory]
    [InlineData("", "name")]
    [InlineData("bad name", "name")]
    [InlineData("thisnameiswaytoolongforcometchat_x", "name")]
    public async Task LoginRejectsBadNamesNamingTheParameter(string name, string param)
    {
        using var res = await _server.Http.PostAsync("api/login", ChatServer.Form(("name", name), ("password", "pw")));
        var problem = await ChatServer.ReadJsonAsync(res, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString()!.ShouldContain($"'{param}'");
        problem.GetProperty("code").GetString().ShouldBe("bad_request");
    }

    [Fact]
    public async Task LoginAcceptsJsonAndTextPlainBodies()
    {
        using var json = await _server.Http.PostAsync("api/login", new StringContent("{\"name\":\"jay\",\"password\":\"p\"}", Encoding.UTF8, "application/json"));
        json.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var xdrJson = await _server.Http.PostAsync("api/login", new StringContent("{\"name\":\"jay\",\"password\":\"p\"}", Encoding.UTF8, "text/plain"));
        xdrJson.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var xdrForm = await _server.Http.PostAsync("api/login", new StringContent("name=jay&password=p", Encoding.UTF8, "text/plain"));
        xdrForm.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task LoginOverJsonpAnswersTheTokenInTheCallback()
    {
        var body = await _server.Http.GetStringAsync("api/login?name=kim&password=pw&callback=cb");
        ChatServer.ParseJsonp(body, "cb").GetProperty("user").GetString().ShouldBe("kim");
        var bad = await _server.Http.GetStringAsync("api/login?name=kim&password=wrong&callback=cb");
        var error = ChatServer.ParseJsonp(bad, "cb").GetProperty("error");
        error.GetProperty("status").GetInt32().ShouldBe(401);
        error.GetProperty("code").GetString().ShouldBe("unauthorized");
    }

    [Fact]
    public async Task MintedTokenForUnknownNameCreatesAPasswordlessUser()
    {
        var token = Mint("shopper_42", TimeSpan.FromHours(1));
        using var req = new HttpRequestMessage(HttpMethod.Get, "api/me?token=" + token);
        using var res = await _server.Http.SendAsync(req);
        (await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK)).GetProperty("user").GetString().ShouldBe("shopper_42");

        // Nobody can claim the name afterwards with a password.
        using var claim = await _server.Http.PostAsync("api/login", ChatServer.Form(("name", "shopper_42"), ("password", "x")));
        claim.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ExpiredForgedAndMissingTokensAre401()
    {
        var alice = await _server.LoginAsync("alice");
        _server.Time.Advance(TimeSpan.FromHours(25));
        (await alice.GetAsync("api/me", HttpStatusCode.Unauthorized)).GetProperty("detail").GetString()!.ShouldContain("expired");

        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "alice" },
            Expires = DateTime.UtcNow.AddDays(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]), SecurityAlgorithms.HmacSha256),
        });
        using var res = await _server.Http.GetAsync("api/me?token=" + forged);
        res.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var none = await _server.Http.GetAsync("api/me");
        (await ChatServer.ReadJsonAsync(none, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString()!.ShouldContain("token");
    }

    [Fact]
    public async Task CookiesAreNeverReadForAuth()
    {
        var alice = await _server.LoginAsync("alice");
        using var req = new HttpRequestMessage(HttpMethod.Get, "api/me");
        req.Headers.Add("Cookie", "token=" + alice.Token);
        using var res = await _server.Http.SendAsync(req);
        res.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenIsAcceptedFromHeaderQueryAndFormBody()
    {
        var alice = await _server.LoginAsync("alice");
        await _server.LoginAsync("bob");
        (await alice.GetAsync("api/me")).GetProperty("user").GetString().ShouldBe("alice");
        using var q = await _server.Http.GetAsync("api/me?token=" + alice.Token);
        q.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var form = await _server.Http.PostAsync("api/messages", ChatServer.Form(("token", alice.Token), ("to", "bob"), ("body", "hi")));
        form.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private string Mint(string user, TimeSpan lifetime) => _server.MintToken(user, lifetime);
}
