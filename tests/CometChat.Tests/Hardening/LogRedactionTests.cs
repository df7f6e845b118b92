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
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "api/me");
        bearer.Headers.Authorization = new("Bearer", token);
        (await server.Http.SendAsync(bearer)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await server.TerminateAsync();

        var log = server.Output;
        log.ShouldContain("/api/me"); // the request lines were logged...
        log.ShouldNotContain("hunter2-secret"); // ...without their secrets
        log.ShouldNotContain(token);
        log.ShouldNotContain(token.Split('.')[2]);
    }
}
