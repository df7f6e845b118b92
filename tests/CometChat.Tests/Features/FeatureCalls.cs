using System.Net;
using System.Text.Json;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Features;

/// <summary>The calls feature tests make, each answering the JSON (or problem+json) body.</summary>
internal static class FeatureCalls
{
    public static async Task<JsonElement> PostAsync(this TestUser user, string path, HttpStatusCode expected, params (string, string)[] form)
    {
        using var res = await user.Server.Http.SendAsync(user.Request(HttpMethod.Post, path, ChatServer.Form(form)));
        return await ChatServer.ReadJsonAsync(res, expected);
    }

    public static Task<JsonElement> PostAsync(this TestUser user, string path, params (string, string)[] form) =>
        user.PostAsync(path, HttpStatusCode.OK, form);

    /// <summary>A GET as a script tag makes it: token and callback in the query, the answer unwrapped.</summary>
    public static async Task<JsonElement> JsonpAsync(this TestUser user, string pathAndQuery, string callback = "cb")
    {
        var sep = pathAndQuery.Contains('?') ? '&' : '?';
        var body = await user.Server.Http.GetStringAsync($"{pathAndQuery}{sep}token={user.Token}&callback={callback}");
        return ChatServer.ParseJsonp(body, callback);
    }

    public static async Task<JsonElement> SendWithSidAsync(this TestUser user, string to, string body, long sid, HttpStatusCode expected = HttpStatusCode.OK) =>
        await user.PostAsync("api/messages", expected, ("to", to), ("body", body), ("sid", sid.ToString()));

    /// <summary>The user's feed after <paramref name="since"/>, by short poll.</summary>
    public static async Task<JsonElement[]> FeedAsync(this TestUser user, long since) =>
        [.. (await user.GetAsync($"api/messages?since={since}")).GetProperty("messages").EnumerateArray()];

    public static string Detail(this JsonElement problem) => problem.GetProperty("detail").GetString()!;

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static long Num(this JsonElement e, string name) => e.GetProperty(name).GetInt64();
}
