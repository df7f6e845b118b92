using System.Diagnostics;
using System.Net;
using CometChat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CometChat.Tests.Hardening;

public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigtermAnswersThousandsOfParkedPollsAtOnceThenExitsAndClientsResume()
    {
        using var dir = new TempDirectory();
        const int users = 400, pollsPerUser = 5;
        var tokens = Enumerable.Range(0, users).Select(i => ChatServer.MintToken("p" + i, DateTimeOffset.UtcNow, TimeSpan.FromHours(1))).ToArray();
        long acknowledged;
        await using (var server = await ServerProcess.StartAsync(dir.Path))
        {
            using var sent = await server.Http.PostAsync("api/messages", ChatServer.Form(("token", tokens[1]), ("to", "p1"), ("body", "before the stop")));
            acknowledged = (await ChatServer.ReadJsonAsync(sent, HttpStatusCode.OK)).GetProperty("mid").GetInt64();

            var polls = tokens.SelectMany(t => Enumerable.Range(0, pollsPerUser).Select(_ =>
                server.Http.GetAsync($"api/poll?since={acknowledged}&timeout=60&token={t}"))).ToList();
            await WaitForParkedAsync(server, tokens[0], users * pollsPerUser);
            // And open streams: every format and SSE must end, not hang, when the server stops.
            var streams = new List<Task<string>>();
            foreach (var path in new[] { "api/stream?format=ndjson", "api/stream?format=text", "api/stream?format=multipart", "api/stream?format=html", "api/events" })
                for (var i = 0; i < 40; i++)
                    streams.Add(ReadStreamToEndAsync(server.Http, $"{path}&since={acknowledged}&token={tokens[i]}".Replace("events&", "events?")));
            await WaitForStatAsync(server, tokens[0], "openStreams", streams.Count);

            var clock = Stopwatch.StartNew();
            var exit = server.TerminateAsync();
            var answers = await Task.WhenAll(polls).DefaultTimeout();
            await Task.WhenAll(streams).DefaultTimeout();
            var answered = clock.Elapsed;
            (await exit).ShouldBe(0);
            output.WriteLine($"{answers.Length} parked polls answered and {streams.Count} streams ended {answered.TotalMilliseconds:F0} ms after SIGTERM; exited after {clock.Elapsed.TotalMilliseconds:F0} ms");
            foreach (var a in answers)
            {
                a.StatusCode.ShouldBe(HttpStatusCode.OK);
                var page = await ChatServer.ReadJsonAsync(a, HttpStatusCode.OK);
                page.GetProperty("messages").GetArrayLength().ShouldBe(0);
                page.GetProperty("cursor").GetInt64().ShouldBe(acknowledged);
            }
        }

        await using var restarted = await ChatServer.StartAsync(dir: dir);
        var p1 = new TestUser(restarted, "p1", tokens[1], 0);
        TestUser.Mids(await p1.GetAsync("api/messages?since=0")).ShouldBe([acknowledged]);
        var poll = p1.GetAsync($"api/poll?since={acknowledged}");
        var after = await p1.SendAsync("p1", "after the restart");
        TestUser.Mids(await poll.DefaultTimeout()).ShouldBe([after.GetProperty("mid").GetInt64()]);
    }

    private static async Task<string> ReadStreamToEndAsync(HttpClient http, string url)
    {
        using var res = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        res.StatusCode.ShouldBe(HttpStatusCode.OK);
        try { return await res.Content.ReadAsStringAsync(); }
        catch (HttpRequestException) { return ""; } // closed hard at shutdown is still closed
        catch (IOException) { return ""; }
    }

    private static Task WaitForParkedAsync(ServerProcess server, string token, int count) => WaitForStatAsync(server, token, "parkedPolls", count);

    private static async Task WaitForStatAsync(ServerProcess server, string token, string stat, int count)
    {
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (true)
        {
            var stats = await server.Http.GetStringAsync("api/stats?token=" + token);
            var open = System.Text.Json.JsonDocument.Parse(stats).RootElement.GetProperty(stat).GetInt64();
            if (open == count) return;
            if (DateTime.UtcNow > until) throw new TimeoutException($"{stat}: {open} of {count}");
            await Task.Delay(50);
        }
    }
}
