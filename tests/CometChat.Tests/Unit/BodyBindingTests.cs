using System.Text;
using CometChat.Core;
using CometChat.Http;
using Microsoft.Extensions.Options;

namespace CometChat.Tests.Unit;

/// <summary>Reading parameters: JSON objects (bodies and socket frames), forms, text/plain, and the query beside them.</summary>
public sealed class BodyBindingTests
{
    private static Dictionary<string, string?> Json(string json) => JsonParameters.Parse(Encoding.UTF8.GetBytes(json), "body");

    private static string Refused(Action read) => Should.Throw<ChatException>(read).Error.Detail;

    [Fact]
    public void ReadsScalarsAsTheyAreWritten() =>
        Json("""{"s":"a\"b\\c\n\u00e9\ud83d\ude00","n":-1.5e3,"t":true,"f":false,"z":null}""").ShouldBe(new Dictionary<string, string?>
        {
            ["s"] = "a\"b\\c\né😀", ["n"] = "-1.5e3", ["t"] = "true", ["f"] = "false", ["z"] = null,
        });

    [Theory]
    [InlineData("""{"to":"a\ud800b"}""", "to", "a\uFFFDb")]
    [InlineData("""{"to":"\udc00"}""", "to", "\uFFFD")]
    [InlineData("""{"to":"\ud800\ud800\udc00"}""", "to", "\uFFFD\U00010000")]
    [InlineData("""{"t\ud800o":"x\\"}""", "t\uFFFDo", "x\\")]
    [InlineData("""{"to":"\ud800\n\/\u0041"}""", "to", "\uFFFD\n/A")]
    public void LoneSurrogateEscapesBecomeReplacementCharacters(string json, string name, string value) => Json(json)[name].ShouldBe(value);

    [Theory]
    [InlineData("""{"to":"a","to":"b"}""", "'to' is given more than once")]
    [InlineData("""{"to":{"x":1}}""", "'to' must be a string")]
    [InlineData("""{"to":[1]}""", "'to' must be a string")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"to":"a"} x""", "malformed")]
    [InlineData("""{"to":"a",}""", "malformed")]
    [InlineData("""{"to":""", "malformed")]
    public void RefusesWhatIsNotAFlatObjectNamingWhy(string json, string why) => Refused(() => _ = Json(json)).ShouldContain(why);

    [Fact]
    public void RefusesInvalidUtf8() =>
        Refused(() => _ = JsonParameters.Parse([(byte)'{', (byte)'"', 0xc3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], "frame")).ShouldContain("UTF-8");

    private static async Task<ChatParameters> BindAsync(string method, string query, string? body, string? type)
    {
        var ctx = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton(Options.Create(new ChatOptions())).BuildServiceProvider() };
        ctx.Request.Method = method;
        ctx.Request.QueryString = new QueryString(query);
        if (body is not null)
        {
            ctx.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            ctx.Request.ContentType = type;
        }
        return await ChatParameters.ReadAsync(ctx);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "to=bob&body=a%20b")]
    [InlineData("application/json", """{"to":"bob","body":"a b"}""")]
    [InlineData("text/plain", """ {"to":"bob","body":"a b"}""")]
    [InlineData("text/plain", "to=bob&body=a+b")]
    [InlineData(null, "to=bob&body=a+b")]
    public async Task EveryBodyKindBindsTheSame(string? type, string body)
    {
        var p = await BindAsync("POST", "?id=1", body, type);
        (p.Get("to"), p.Get("body"), p.Get("id"), p.Get("none")).ShouldBe(("bob", "a b", "1", (string?)null));
    }

    [Theory]
    [InlineData("?to=a&to=b", null, "'to' is given more than once")]
    [InlineData("?to=a", "to=b", "'to' is given both")]
    [InlineData("", "to=a&to=b", "'to' is given more than once")]
    public async Task ANameGivenTwiceAnywhereIsRefused(string query, string? body, string why)
    {
        var e = await Should.ThrowAsync<ChatException>(async () => (await BindAsync(body is null ? "GET" : "POST", query, body, "application/x-www-form-urlencoded")).Get("to"));
        e.Error.Detail.ShouldContain(why);
    }

    [Fact]
    public async Task AMalformedBodyFailsTheSameForEveryoneWhoAsks()
    {
        var ctx = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton(Options.Create(new ChatOptions())).BuildServiceProvider() };
        ctx.Request.Method = "POST";
        ctx.Request.ContentType = "application/json";
        ctx.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("{\"to\":"));
        (await Should.ThrowAsync<ChatException>(async () => await ChatParameters.ReadAsync(ctx))).Error.Detail.ShouldContain("malformed");
        (await Should.ThrowAsync<ChatException>(async () => await ChatParameters.ReadAsync(ctx))).Error.Detail.ShouldContain("malformed");
    }

    [Fact]
    public async Task AMultipartUploadIsLeftForItsEndpoint()
    {
        var p = await BindAsync("POST", "?callback=cb", "--x\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nbob\r\n--x--", "multipart/form-data; boundary=x");
        p.Get("to").ShouldBeNull();
    }
}
