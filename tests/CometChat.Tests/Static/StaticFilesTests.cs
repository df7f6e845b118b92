using System.Net;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Static;

public sealed class StaticFilesTests : IAsyncLifetime
{
    private ChatServer _server = null!;

    public async Task InitializeAsync() => _server = await ChatServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("index.html")]
    public async Task HtmlIsRevalidatedAndSendsNoReferrer(string path)
    {
        using var res = await _server.Http.GetAsync(path).DefaultTimeout();
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        res.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        res.Headers.CacheControl!.NoCache.ShouldBeTrue();
        res.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
        (await res.Content.ReadAsStringAsync()).ShouldContain("cometchat.js?v=");
    }

    [Theory]
    [InlineData("")]
    [InlineData("index.html")]
    public async Task TheChatPageCannotBeFramedAndTalksOnlyToItsOwnOrigin(string path)
    {
        using var res = await _server.Http.GetAsync(path).DefaultTimeout();
        var csp = res.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("script-src 'self';");
        csp.ShouldContain("connect-src 'self' ws://127.0.0.1:" + _server.BaseUri.Port);
        res.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
    }

    [Fact]
    public async Task VersionedAssetsCacheForAYear()
    {
        using var res = await _server.Http.GetAsync("cometchat.js?v=1").DefaultTimeout();
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        res.Content.Headers.ContentType!.ToString().ShouldBe("text/javascript; charset=utf-8");
        res.Headers.CacheControl!.MaxAge.ShouldBe(TimeSpan.FromDays(365));
        res.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        res.Headers.Contains("Referrer-Policy").ShouldBeFalse();
    }

    [Fact]
    public async Task UnversionedEmbedScriptCachesBriefly()
    {
        using var res = await _server.Http.GetAsync("embed.js").DefaultTimeout();
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        res.Headers.CacheControl!.MaxAge.ShouldBe(TimeSpan.FromMinutes(5));
        using var css = await _server.Http.GetAsync("chat.css?v=1").DefaultTimeout();
        css.Content.Headers.ContentType!.ToString().ShouldBe("text/css; charset=utf-8");
    }

    [Fact]
    public async Task ApiStaysNoStore()
    {
        using var res = await _server.Http.GetAsync("api/me").DefaultTimeout();
        res.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }
}
