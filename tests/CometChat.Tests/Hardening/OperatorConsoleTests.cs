using System.Net;
using System.Text.RegularExpressions;
using CometChat.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CometChat.Tests.Hardening;

/// <summary>
/// What an operator reads on the console of the real server process (issue 14 items 7 and 8): a startup banner
/// that tells the truth, a way to read a generated signing key, a port in use in one line naming the setting,
/// logins and refusals at their level and summarised under a flood, and a store failure as one line per incident.
/// </summary>
public sealed partial class OperatorConsoleTests
{
    [Fact]
    public async Task TheBannerNamesThePageTheHttpAndTcpAddressesTheDatabaseTheAgentsAndTheGeneratedKey()
    {
        using var dir = new TempDirectory();
        var settings = new[] { "--Chat:Auth:Key=", "--Chat:StaticRoot=" + Path.Combine(ChatServer.RepoRoot, "static"), "--Chat:Support:Agents:0=ann", "--Chat:Support:Agents:1=zed" };
        string fingerprint;
        await using (var server = await ServerProcess.StartAsync(dir.Path, settings))
        {
            var port = server.Http.BaseAddress!.Port;
            var banner = Banner(server.Output);
            banner.ShouldContain($"chat page    http://127.0.0.1:{port}/ ");
            banner.ShouldContain($"HTTP         http://127.0.0.1:{port} ");
            var tcp = TcpLine().Match(banner);
            tcp.Success.ShouldBeTrue(banner);
            int.Parse(tcp.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldNotBe(port);
            banner.ShouldNotContain("http://127.0.0.1:" + tcp.Groups[1].Value); // the socket is not HTTP
            server.Output.ShouldNotContain("Now listening on");
            banner.ShouldContain("database     SQLite " + Path.Combine(dir.Path, "chat.db"));
            banner.ShouldContain("agents       ann, zed (auto routing)");
            banner.ShouldContain("signing key  generated now (Chat:Auth:Key is not set) and kept in the database, fingerprint sha256:");
            banner.ShouldContain("CometChat.dll key");
            fingerprint = Fingerprint().Match(banner).Value;
            await server.TerminateAsync();
        }

        // The key command prints the key the server signs with: a token minted with it is accepted.
        var (exit, key, note) = await ServerProcess.RunAsync(dir.Path, ["key", .. ServerProcess.DefaultSettings(dir.Path), .. settings]);
        exit.ShouldBe(0, note);
        note.ShouldContain(fingerprint);
        key = key.Trim();
        Convert.FromBase64String(key).Length.ShouldBe(32);
        await using (var again = await ServerProcess.StartAsync(dir.Path, settings))
        {
            Banner(again.Output).ShouldContain($"signing key  generated at an earlier start and kept in the database, fingerprint {fingerprint}");
            using var me = new HttpRequestMessage(HttpMethod.Get, "api/me");
            me.Headers.Authorization = new("Bearer", Mint("shopper_1", key));
            (await again.Http.SendAsync(me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task APortInUseIsOneLineNamingTheSetting()
    {
        using var dir = new TempDirectory();
        await using var first = await ServerProcess.StartAsync(dir.Path);
        var socketPort = TcpLine().Match(Banner(first.Output)).Groups[1].Value;
        using var other = new TempDirectory();

        var (exit, stdout, stderr) = await ServerProcess.RunAsync(other.Path, [.. ServerProcess.DefaultSettings(other.Path), "--Chat:Socket:Port=" + socketPort]);
        exit.ShouldBe(2);
        var output = stdout + stderr;
        output.ShouldContain($"Cannot start: port {socketPort} (the TCP socket) is in use by another program: stop it, or give Chat:Socket:Port a free port");
        output.ShouldNotContain("   at "); // no stack trace
        output.ShouldNotContain("Exception");

        (exit, stdout, stderr) = await ServerProcess.RunAsync(other.Path, [.. ServerProcess.DefaultSettings(other.Path), "--Chat:Http:Port=" + first.Http.BaseAddress!.Port]);
        exit.ShouldBe(2);
        (stdout + stderr).ShouldContain($"Cannot start: port {first.Http.BaseAddress.Port} (HTTP) is in use by another program: stop it, or give Chat:Http:Port a free port");
        (stdout + stderr).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task LoginsAndRefusalsAreLoggedAndAFloodIsSummarised()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(dir.Path, "--Chat:Limits:Enabled=true", "--Chat:Limits:SendsPerSecond=1", "--Chat:Limits:SendBurst=5");
        var bob = await LoginAsync(server, "bob", "builder");
        (await server.Http.PostAsync("api/login", ChatServer.Form(("name", "bob"), ("password", "wrong")))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var refused = 0;
        for (var i = 0; i < 60; i++)
        {
            using var sent = await server.Http.PostAsync("api/messages", ChatServer.Form(("token", bob), ("to", "bob"), ("body", "m" + i)));
            if (sent.StatusCode == HttpStatusCode.TooManyRequests) refused++;
        }
        refused.ShouldBeGreaterThan(40);
        var metrics = await server.Http.GetStringAsync("metrics");
        metrics.ShouldContain($"cometchat_refusals_total{{kind=\"send\"}} {refused}\n");
        metrics.ShouldContain("cometchat_logins_total{result=\"ok\"} 1\n");
        metrics.ShouldContain("cometchat_logins_total{result=\"wrong_password\"} 1\n");
        await server.TerminateAsync(); // the last minute's summary is logged at shutdown

        var log = server.Output;
        log.ShouldContain("info: CometChat.Core.OperatorLog[71]\n      Login: bob from 127.0.0.1");
        log.ShouldContain("info: CometChat.Core.OperatorLog[72]\n      Login refused: wrong password for bob from 127.0.0.1");
        Regex.Count(log, "Refused bob: too many sends and receipts \\(answered 429; the limit is Chat:Limits:SendsPerSecond and SendBurst\\)").ShouldBe(10);
        log.ShouldContain($"warn: CometChat.Core.OperatorLog[74]\n      {refused - 10} more refusals (too many sends and receipts, over Chat:Limits:SendsPerSecond and SendBurst) in the last minute, not logged one by one; most from: bob {refused - 10}");
    }

    [Fact]
    public async Task AStoreFailureIsOneLineWhenItStartsAndOneWhenItEnds()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(dir.Path, "--Chat:DatabaseBusyTimeoutSeconds=1");
        var alice = await LoginAsync(server, "alice", "pw");
        await SendAsync(server, alice, "before", HttpStatusCode.OK);
        // Not the -shm index: it is mmapped, and an immutable mapping faults (SIGBUS) instead of failing a write.
        var files = new[] { "chat.db", "chat.db-wal" }.Select(dir.File).Where(File.Exists).ToArray();
        StoreFaultTests.Run(["chattr", "+i", .. files]);
        try
        {
            for (var i = 0; i < 5; i++) await SendAsync(server, alice, "during " + i, HttpStatusCode.ServiceUnavailable);
            (await server.Http.GetAsync("healthz")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            StoreFaultTests.Run(["chattr", "-i", .. files]);
        }
        await SendAsync(server, alice, "after", HttpStatusCode.OK);
        await server.TerminateAsync();

        var log = server.Output;
        Regex.Count(log, "The store is failing").ShouldBe(1, log);
        log.ShouldMatch(@"fail: CometChat.Core.StoreIncidents\[80\]\n      The store is failing: The database (is read-only|had an I/O error) \(SQLite Error \d+: '[^']+'\)\. Writes answer 503");
        log.ShouldMatch(@"The store works again after [\d.]+ s; \d+ requests and tasks failed meanwhile");
        log.ShouldNotContain("   at "); // no stack trace
        log.ShouldNotContain("Exception:");
    }

    private static string Banner(string output)
    {
        var start = output.IndexOf("CometChat is serving", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, output);
        // The signing key's line and its continuation end the banner.
        var end = output.IndexOf('\n', output.IndexOf("signing key", start, StringComparison.Ordinal));
        return output[start..(output.IndexOf('\n', end + 1) is var next and > 0 ? next : output.Length)];
    }

    private static async Task<string> LoginAsync(ServerProcess server, string name, string password)
    {
        using var login = await server.Http.PostAsync("api/login", ChatServer.Form(("name", name), ("password", password)));
        return (await ChatServer.ReadJsonAsync(login, HttpStatusCode.OK)).GetProperty("token").GetString()!;
    }

    private static async Task SendAsync(ServerProcess server, string token, string body, HttpStatusCode expected)
    {
        using var sent = await server.Http.PostAsync("api/messages", ChatServer.Form(("token", token), ("to", "alice"), ("body", body), ("id", body)));
        sent.StatusCode.ShouldBe(expected);
    }

    private static string Mint(string user, string key) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Claims = new Dictionary<string, object> { ["sub"] = user },
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key)), SecurityAlgorithms.HmacSha256),
    });

    [GeneratedRegex(@"TCP socket   tcp://127\.0\.0\.1:(\d+) ")]
    private static partial Regex TcpLine();

    [GeneratedRegex(@"sha256:[0-9a-f]{16}")]
    private static partial Regex Fingerprint();
}
