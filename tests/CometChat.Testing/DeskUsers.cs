using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CometChat.Tests.Infrastructure;

/// <summary>Users of the desk tests with tokens minted the way a site (or an operator for its agents) mints them.</summary>
internal static class DeskUsers
{
    /// <summary>A token for <paramref name="user"/> signed with the test key, valid for a month of the fake clock, with an optional <c>ctx</c> claim.</summary>
    public static string Mint(ChatServer server, string user, object? ctx = null) => Mint(user, server.Time.GetUtcNow(), ctx);

    public static string Mint(string user, DateTimeOffset at, object? ctx = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = user };
        if (ctx is not null) claims["ctx"] = JsonSerializer.SerializeToElement(ctx);
        var now = at.UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = now + TimeSpan.FromDays(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(ChatServer.Key)), SecurityAlgorithms.HmacSha256),
        });
    }

    public static async Task<TestUser> MintedAsync(this ChatServer server, string user, object? ctx = null)
    {
        var token = Mint(server, user, ctx);
        var me = await new TestUser(server, user, token, 0).GetAsync("api/me");
        return new TestUser(server, user, token, me.GetProperty("cursor").GetInt64());
    }
}
