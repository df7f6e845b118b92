using System.Net;
using System.Text;
using CometChat.Tests.Features;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Im;

/// <summary>Files and images (API.md §8): type from the content, cleaned names, limits, who may fetch, how they are served.</summary>
public class FileTests : IAsyncLifetime, IDisposable
{
    protected virtual Dictionary<string, string?> Backend => [];

    internal static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    private readonly TempDirectory _folder = new();
    private ChatServer _server = null!;
    private TestUser _alice = null!, _bob = null!, _carol = null!;

    public Task InitializeAsync() => StartAsync([]);

    private async Task StartAsync(Dictionary<string, string?> settings)
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = await ChatServer.StartAsync(Backend.With(settings));
        _alice = await _server.LoginAsync("alice");
        _bob = await _server.LoginAsync("bob");
        _carol = await _server.LoginAsync("carol");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<HttpResponseMessage> FetchAsync(TestUser user, string id) => await user.RawGetAsync("api/files/" + id);

    [Fact]
    public async Task AnImageIsServedInlineToTheUsersWhoMayReadItsMessage()
    {
        var file = (await _alice.UploadAsync(Png, "dot.png")).GetProperty("file");
        (file.Str("name"), file.Num("size"), file.Str("type")).ShouldBe(("dot.png", (long)Png.Length, "image/png"));
        var id = file.Str("id");
        (await FetchAsync(_bob, id)).StatusCode.ShouldBe(HttpStatusCode.NotFound); // not sent yet: only alice has it
        var sent = await _alice.SendFileAsync("bob", id, "look");
        var message = (await _bob.FeedAsync(_bob.Cursor)).Single();
        (message.Str("kind"), message.Str("body"), message.GetProperty("file").Str("id")).ShouldBe(("file", "look", id));
        message.Num("mid").ShouldBe(sent.Num("mid"));

        using var res = await FetchAsync(_bob, id);
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        res.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        res.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("inline");
        res.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        res.Headers.GetValues("Content-Security-Policy").ShouldBe(["sandbox"]);
        (await res.Content.ReadAsByteArrayAsync()).ShouldBe(Png);
        (await FetchAsync(_alice, id)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Another user's file id is a 404, as is a file that does not exist, and so is sending it.
        (await FetchAsync(_carol, id)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await FetchAsync(_carol, "nosuchfile")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _carol.SendFileAsync("bob", id, expected: HttpStatusCode.NotFound)).Detail().ShouldContain("'file'");
        (await _alice.SendFileAsync("carol", id, expected: HttpStatusCode.Conflict)).Detail().ShouldContain("sent already");

        // A recall deletes the file: nobody may fetch it any more.
        await _alice.RecallAsync(sent.Num("mid"));
        (await FetchAsync(_bob, id)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await FetchAsync(_alice, id)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var recalled = (await _bob.FeedAsync(_bob.Cursor))[0];
        recalled.TryGetProperty("file", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task HtmlRenamedPngIsNotServedAsHtmlAndAScriptBearingSvgIsNeverInline()
    {
        var html = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>");
        var svg = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>");
        foreach (var (content, name) in new[] { (html, "cat.png"), (svg, "logo.svg") })
        {
            var file = (await _alice.UploadAsync(content, name)).GetProperty("file");
            file.Str("type").ShouldBe("text/plain");
            await _alice.SendFileAsync("bob", file.Str("id"));
            using var res = await FetchAsync(_bob, file.Str("id"));
            res.StatusCode.ShouldBe(HttpStatusCode.OK);
            res.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
            res.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
            res.Content.Headers.ContentDisposition.FileNameStar.ShouldBe(name);
            res.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
            res.Headers.GetValues("Content-Security-Policy").ShouldBe(["sandbox"]);
        }
        var pdf = (await _alice.UploadAsync(Encoding.ASCII.GetBytes("%PDF-1.4\n%\u00e2\u00e3"), "a.txt")).GetProperty("file").Str("type");
        pdf.ShouldBe("application/pdf");
        (await _alice.UploadAsync([0, 1, 2, 3, 255], "x.png")).GetProperty("file").Str("type").ShouldBe("application/octet-stream");
    }

    [Fact]
    public async Task NamesAreCleaned()
    {
        (await _alice.UploadAsync(Png, "../../etc/\u202Egnp.exe")).GetProperty("file").Str("name").ShouldBe("gnp.exe");
        (await _alice.UploadAsync(Png, "C:\\Users\\me\\my   photo?.png")).GetProperty("file").Str("name").ShouldBe("my photo.png");
        (await _alice.UploadAsync(Png, "...")).GetProperty("file").Str("name").ShouldBe("file");
        (await _alice.UploadAsync(Png, "CON.png")).GetProperty("file").Str("name").ShouldBe("_CON.png");
    }

    [Fact]
    public async Task AnUploadOverTheLimitStoresNothing()
    {
        await StartAsync(new() { ["Chat:Files:MaxBytes"] = "1KiB", ["Chat:Files:Folder"] = _folder.Path });
        (await _alice.UploadAsync(new byte[1025], "big.bin", HttpStatusCode.RequestEntityTooLarge)).Detail().ShouldContain("Chat:Files:MaxBytes");
        (await _alice.UploadAsync(new byte[300_000], "bigger.bin", HttpStatusCode.RequestEntityTooLarge)).GetProperty("code").GetString().ShouldBe("too_large");
        Directory.GetFiles(_folder.Path).ShouldBeEmpty();
        (await Count("SELECT count(*) FROM files")).ShouldBe(0);

        // In the folder: the file, named by its id; a recall deletes it there too.
        var id = (await _alice.UploadAsync(new byte[1024], "fits.bin")).GetProperty("file").Str("id");
        Directory.GetFiles(_folder.Path).Select(Path.GetFileName).ShouldBe([id]);
        (await Count("SELECT count(*) FROM files WHERE content IS NULL")).ShouldBe(1);
        var mid = (await _alice.SendFileAsync("bob", id)).Num("mid");
        (await (await FetchAsync(_bob, id)).Content.ReadAsByteArrayAsync()).Length.ShouldBe(1024);
        await _alice.RecallAsync(mid);
        Directory.GetFiles(_folder.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task UploadsPerUserAndDayAreLimited()
    {
        await StartAsync(new() { ["Chat:Files:PerUserPerDay"] = "2" });
        await _alice.UploadAsync(Png, "1.png");
        await _alice.UploadAsync(Png, "2.png");
        (await _alice.UploadAsync(Png, "3.png", HttpStatusCode.TooManyRequests)).Detail().ShouldContain("Chat:Files:PerUserPerDay");
        await _bob.UploadAsync(Png, "bob.png");
        _server.Time.Advance(TimeSpan.FromHours(24));
        _alice = await _server.LoginAsync("alice"); // yesterday's token has expired too
        await _alice.UploadAsync(Png, "tomorrow.png");
    }

    [Fact]
    public async Task AFormPostedIntoAFrameIsAnsweredWithAPageThatHandsTheAnswerToItsParent()
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Png), "file", "dot.png" } };
        using var res = await _server.Http.PostAsync($"api/files?token={_alice.Token}&callback=CometChat._cb.u1", form);
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        res.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var page = await res.Content.ReadAsStringAsync();
        page.ShouldContain("parent.postMessage(\"cometchat:CometChat._cb.u1:\" + \"{\\u0022file\\u0022:");
        page.ShouldContain("parent.CometChat._cb.u1({\"file\":{\"id\":");

        // Errors come the same way (a frame cannot read a status); a bad callback is a plain 400, never echoed.
        using var noToken = new MultipartFormDataContent { { new ByteArrayContent(Png), "file", "dot.png" } };
        var denied = await (await _server.Http.PostAsync("api/files?callback=cb", noToken)).Content.ReadAsStringAsync();
        denied.ShouldContain("parent.cb({\"error\":{\"status\":401,\"code\":\"unauthorized\"");
        using var bad = new MultipartFormDataContent { { new ByteArrayContent(Png), "file", "dot.png" } };
        using var refused = await _server.Http.PostAsync($"api/files?token={_alice.Token}&callback=alert(1)", bad);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).ShouldNotContain("alert");
    }

    private Task<long> Count(string sql) => _server.StoreScalarAsync(sql);
}
