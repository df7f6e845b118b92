using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Im;

/// <summary>The calls of API.md §8 as tests make them.</summary>
internal static class ImCalls
{
    public static async Task<JsonElement[]> ConversationsAsync(this TestUser user) =>
        [.. (await user.GetAsync("api/conversations")).GetProperty("conversations").EnumerateArray()];

    /// <summary>The conversation named <paramref name="with"/> in the user's list: (unread, readUpTo).</summary>
    public static async Task<(long Unread, long ReadUpTo)> UnreadAsync(this TestUser user, string with)
    {
        var c = (await user.ConversationsAsync()).Single(c => c.Str("with") == with);
        return (c.Num("unread"), c.Num("readUpTo"));
    }

    public static Task<JsonElement> RecallAsync(this TestUser user, long mid, HttpStatusCode expected = HttpStatusCode.OK) =>
        user.PostAsync($"api/messages/{mid}/recall", expected);

    public static Task<JsonElement> EditAsync(this TestUser user, long mid, string body, HttpStatusCode expected = HttpStatusCode.OK) =>
        user.PostAsync($"api/messages/{mid}/edit", expected, ("body", body));

    public static async Task<JsonElement[]> SearchAsync(this TestUser user, string query) =>
        [.. (await user.GetAsync("api/search?q=" + Uri.EscapeDataString(query))).GetProperty("messages").EnumerateArray()];

    /// <summary>A long poll as a script tag makes it (JSONP), after <paramref name="since"/>; its messages.</summary>
    public static async Task<JsonElement> JsonpPollAsync(this TestUser user, long since, int timeout = 25) =>
        await user.JsonpAsync($"api/poll?since={since}&timeout={timeout}");

    public static async Task<JsonElement> UploadAsync(this TestUser user, byte[] content, string name, HttpStatusCode expected = HttpStatusCode.OK, string query = "")
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png"); // what a client claims: never believed
        form.Add(part, "file", name);
        using var req = user.Request(HttpMethod.Post, "api/files" + query, form);
        // As curl does for large bodies: a refused upload is answered before its body is sent, not cut mid-write.
        req.Headers.ExpectContinue = true;
        using var res = await user.Server.Http.SendAsync(req);
        return await ChatServer.ReadJsonAsync(res, expected);
    }

    public static async Task<JsonElement> SendFileAsync(this TestUser user, string to, string fileId, string body = "", HttpStatusCode expected = HttpStatusCode.OK) =>
        await user.PostAsync("api/messages", expected, ("to", to), ("file", fileId), ("body", body));
}
