using System.Net;
using CometChat.Logging;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Hardening;

public sealed class LogRedactionTests
{
    [Theory]
    [InlineData("GET http://h/api/poll?token=eyJ.abc.def&since=3", "GET http://h/api/poll?token=***&since=3")]
    [InlineData("/api/login?name=al&password=hunter2", "/api/login?name=al&password=***")]
    [InlineData("Authorization: Bearer eyJ.abc.def", "Authorization: Bearer ***")]
    [InlineData("GET /api/poll?to%6Ben=eyJ.abc.def&since=3", "GET /api/poll?to%6Ben=***&since=3")]
    [InlineData("GET /api/login?name=al&pass%77ord=hunter2", "GET /api/login?name=al&pass%77ord=***")]
    [InlineData("GET /ws?TOKEN=eyJ.abc.def", "GET /ws?TOKEN=***")]
    [InlineData("GET /api/password?password=old&newPassword=new2", "GET /api/password?password=***&newPassword=***")]
    [InlineData("body name=al&password=x+y", "body name=al&password=***")]
    [InlineData("{\"name\":\"al\",\"password\":\"hunter2\"}", "{\"name\":\"al\",\"password\":\"***\"}")]
    [InlineData("AUTH eyJ.abc.def 12", "AUTH *** 12")]
    [InlineData("GET /api/send?to=bob&body=token%20talk", "GET /api/send?to=bob&body=token%20talk")]
    public void SecretsAreRedacted(string line, string expected) => RedactingConsoleFormatter.Redact(line).ShouldBe(expected);

    [Fact]
    public async Task TokensAndPasswordsInUrlsNeverReachTheLogEvenAtTrace()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(dir.Path, "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace");
        var login = await server.Http.GetStringAsync("api/login?name=alice&password=hunter2-secret&callback=cb");
        var token = ChatServer.ParseJsonp(login, "cb").GetProperty("token").GetString()!;
        (await server.Http.GetAsync($"api/me?token={token}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.Http.GetAsync($"api/messages?since=abc&token={token}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // Percent-encoded parameter names are the same parameters to the server, and must be to the log. Sent raw:
        // HttpClient would normalise %6B to k before sending, as curl and a hostile client do not.
        var port = server.Http.BaseAddress!.Port;
        var encodedLogin = await RawGetAsync(port, "/api/login?name=bob&pass%77ord=encoded-secret-pw&callback=cb");
        var bobToken = ChatServer.ParseJsonp(encodedLogin[(encodedLogin.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..], "cb").GetProperty("token").GetString()!;
        (await RawGetAsync(port, $"/api/me?to%6Ben={bobToken}")).ShouldStartWith("HTTP/1.1 200");
        (await RawGetAsync(port, $"/api/poll?to%6Ben={bobToken}&since=-1")).ShouldStartWith("HTTP/1.1 400");
        (await RawGetAsync(port, $"/ws?TO%6BEN={bobToken}")).ShouldStartWith("HTTP/1.1 400"); // no upgrade: an error line too
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "api/me");
        bearer.Headers.Authorization = new("Bearer", token);
        (await server.Http.SendAsync(bearer)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await server.TerminateAsync();

        var log = server.Output;
        log.ShouldContain("/api/me"); // the request lines were logged...
        log.ShouldNotContain("hunter2-secret"); // ...without their secrets
        log.ShouldNotContain(token);
        log.ShouldNotContain(token.Split('.')[2]);
        log.ShouldContain("/api/me?to%6Ben=***");
        log.ShouldContain("/ws?TO%6BEN=***");
        log.ShouldNotContain("encoded-secret-pw");
        log.ShouldNotContain(bobToken.Split('.')[2]);
    }

    private static async Task<string> RawGetAsync(int port, string pathAndQuery)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).DefaultTimeout();
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync().DefaultTimeout();
    }
}
