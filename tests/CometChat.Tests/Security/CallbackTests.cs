using System.Net;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Security;

/// <summary>Issue 11 holes 9 and 10 (callbacks): the forever frame reaches no DOM path, and no callback ends in a newline.</summary>
public sealed class CallbackTests : IAsyncLifetime
{
    private ChatServer _server = null!;
    private TestUser _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync();
        _bob = await _server.LoginAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("opener.document.body.firstChild.click")]
    [InlineData("top.location.assign")]
    [InlineData("parent.alert")]
    [InlineData("document.write")]
    [InlineData("localStorage.clear")]
    [InlineData("history.back")]
    public async Task AForeverFrameCallbackCannotWalkToOtherWindowsOrTheDom(string callback)
    {
        using var res = await _server.Http.GetAsync($"api/stream?format=html&token={_bob.Token}&callback={callback}").DefaultTimeout();
        res.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        res.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await res.Content.ReadAsStringAsync()).ShouldNotContain(callback); // never echoed
        // Even without a token the error page would have called it: refused before anything else.
        using var anonymous = await _server.Http.GetAsync($"api/stream?format=html&callback={callback}").DefaultTimeout();
        anonymous.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // An upload's answer page (a hidden iframe's) is the same kind of frame.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Im.FileTests.Png), "file", "dot.png" } };
        using var upload = await _server.Http.PostAsync($"api/files?token={_bob.Token}&callback={callback}", form).DefaultTimeout();
        upload.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await upload.Content.ReadAsStringAsync()).ShouldNotContain(callback);
    }

    [Theory]
    [InlineData("receive")]
    [InlineData("CometChat._cb.f12")]
    [InlineData("cometchat.receive")]
    public async Task OneIdentifierOrTheLibrarysOwnPathsAreServed(string callback)
    {
        var page = await _server.Http.GetStringAsync($"api/stream?format=html&since=999&token={_bob.Token}&callback={callback}").DefaultTimeout();
        page.ShouldContain($">parent.{callback}({{\"error\"");
    }

    [Theory]
    [InlineData("api/me?callback=cb%0A")]
    [InlineData("api/me?callback=cb%0D%0A")]
    [InlineData("api/stream?format=html&callback=cb%0A")]
    [InlineData("api/login?name=a&password=b&callback=cb%0A")]
    public async Task ACallbackEndingInANewlineIsRefused(string url)
    {
        using var res = await _server.Http.GetAsync(url).DefaultTimeout();
        res.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        res.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
    }

    [Fact]
    public async Task TheForeverFrameRunsOnlyItsOwnScripts()
    {
        var page = await _server.Http.GetAsync($"api/stream?format=html&since=999&token={_bob.Token}").DefaultTimeout();
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("default-src 'none'");
        csp.ShouldContain("frame-ancestors 'self'");
        var nonce = System.Text.RegularExpressions.Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        (await page.Content.ReadAsStringAsync()).ShouldContain($"<script nonce=\"{nonce}\">");
    }
}
