using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CometChat.LoadGen;

/// <summary>The public contract as the load tool drives it: plain HTTP, nothing server-internal.</summary>
internal sealed class ChatApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _key;

    public ChatApi(string server, string? key)
    {
        _key = key;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = new Uri(server + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>A token for <paramref name="user"/>: minted with --key (as an embedding site does), else by /api/login.</summary>
    public async Task<string> TokenAsync(string user)
    {
        if (_key is not null)
        {
            return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Claims = new Dictionary<string, object> { ["sub"] = user },
                Expires = DateTime.UtcNow.AddHours(2),
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(_key)), SecurityAlgorithms.HmacSha256),
            });
        }
        using var res = await _http.PostAsync("api/login", new FormUrlEncodedContent([new("name", user), new("password", "loadgen-" + user)]));
        return (await JsonAsync(res)).GetProperty("token").GetString()!;
    }

    public async Task<long> HeadAsync(string token)
    {
        using var res = await _http.SendAsync(Request(HttpMethod.Get, "api/me", token));
        return (await JsonAsync(res)).GetProperty("cursor").GetInt64();
    }

    public async Task<long> SendAsync(string token, string to, string body, string? client = null, string? id = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("to", to), new("body", body) };
        if (client is not null) form.Add(new("client", client));
        if (id is not null) form.Add(new("id", id));
        using var res = await _http.SendAsync(Request(HttpMethod.Post, "api/messages", token, new FormUrlEncodedContent(form)));
        return (await JsonAsync(res)).GetProperty("mid").GetInt64();
    }

    public async Task JoinAsync(string token, string room)
    {
        using var res = await _http.SendAsync(Request(HttpMethod.Post, $"api/rooms/{room}/join", token));
        await JsonAsync(res);
    }

    /// <summary>One long poll: the mids it answered and the next cursor.</summary>
    public async Task<(long[] Mids, long Cursor)> PollAsync(string token, long since, int timeout, string? client, CancellationToken ct)
    {
        var url = $"api/poll?since={since}&timeout={timeout}" + (client is null ? "" : "&client=" + client);
        using var res = await _http.SendAsync(Request(HttpMethod.Get, url, token), ct);
        var json = await JsonAsync(res);
        var mids = json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("mid").GetInt64()).ToArray();
        return (mids, json.GetProperty("cursor").GetInt64());
    }

    /// <summary>One short poll (GET /api/messages): the mids it answered.</summary>
    public async Task<long[]> ShortPollAsync(string token, long since, int limit)
    {
        using var res = await _http.SendAsync(Request(HttpMethod.Get, $"api/messages?since={since}&limit={limit}", token));
        var json = await JsonAsync(res);
        return json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("mid").GetInt64()).ToArray();
    }

    public async Task<Stream> OpenStreamAsync(string path, string token, CancellationToken ct)
    {
        var res = await _http.SendAsync(Request(HttpMethod.Get, path, token), HttpCompletionOption.ResponseHeadersRead, ct);
        if (!res.IsSuccessStatusCode) throw new HttpRequestException($"{path}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync(ct)}");
        return await res.Content.ReadAsStreamAsync(ct);
    }

    /// <summary>GET /api/search: how many messages the page holds.</summary>
    public async Task<int> SearchAsync(string token, string q, int limit)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, $"api/search?q={Encode(q)}&limit={limit}");
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var res = await _http.SendAsync(req);
        return (await JsonAsync(res)).GetProperty("messages").GetArrayLength();
    }

    public async Task<JsonElement> StatsAsync(string token)
    {
        using var res = await _http.SendAsync(Request(HttpMethod.Get, "api/stats", token));
        return await JsonAsync(res);
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string token, HttpContent? content = null)
    {
        var req = new HttpRequestMessage(method, url) { Content = content };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return req;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage res)
    {
        var text = await res.Content.ReadAsStringAsync();
        if (!res.IsSuccessStatusCode) throw new HttpRequestException($"{(int)res.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string Encode(string s) => Uri.EscapeDataString(s);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public void Dispose() => _http.Dispose();
}
