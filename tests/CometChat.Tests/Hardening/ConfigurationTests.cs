using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Reflection;
using System.Text;
using CometChat.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using static CometChat.Tests.Infrastructure.FeedReader;

namespace CometChat.Tests.Hardening;

/// <summary>Configuration that cannot lie: every section checked at start, lists replace their defaults, the platform's URLs honoured.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Chat:Limits:SendsPerSecond", "0")]
    [InlineData("Chat:Limits:MaxUrlChars", "10")]
    [InlineData("Chat:Stream:MaxSeconds", "0")]
    [InlineData("Chat:Socket:MaxLineBytes", "1")]
    [InlineData("Chat:Poll:DefaultTimeoutSeconds", "61")]
    [InlineData("Chat:Presence:GraceSeconds", "-1")]
    [InlineData("Chat:Auth:TokenHours", "0")]
    [InlineData("Chat:Http:Port", "70000")]
    [InlineData("Chat:Redis:Prefix", "has space")]
    [InlineData("Chat:Cors:Origins:0", "shop.example")]
    [InlineData("Chat:Support:Routing", "sometimes")]
    [InlineData("Chat:Support:MaxSessionsPerAgent", "0")]
    [InlineData("Chat:Support:Hours", "weekdays")]
    [InlineData("Chat:Support:TimeZone", "Mars/Olympus")]
    [InlineData("Chat:Smtp:Port", "0")]
    [InlineData("Chat:Limits:GuestsPerMinutePerIp", "0")]
    [InlineData("Chat:Support:Routing", "auto\n")] // '$' would match before the final newline
    [InlineData("Chat:Http:TrustedProxies:0", "proxy.example")]
    [InlineData("Chat:Http:TrustedProxies:0", "10.0.0.0/33")]
    [InlineData("Chat:Auth:Passwords:zed", "a plain password")]
    [InlineData("Chat:Auth:ReservedNames:0", "..")]
    [InlineData("Chat:Socket:AuthSeconds", "0")]
    [InlineData("Chat:Retention:Days", "-1")]
    [InlineData("Chat:Limits:RoomChangesPerMinute", "0")]
    [InlineData("Chat:Limits:RoomsCreatedPerHour", "0")]
    [InlineData("Chat:Limits:LoginFreeFailures", "0")]
    [InlineData("Chat:Limits:LoginMaxDelaySeconds", "0")]
    public async Task ABadNestedSettingStopsTheStartNamingIt(string setting, string value)
    {
        var e = await Should.ThrowAsync<OptionsValidationException>(() => ChatServer.StartAsync(new() { [setting] = value }));
        e.Message.ShouldContain(setting.EndsWith(":0", StringComparison.Ordinal) ? setting[..^2] : setting);
    }

    [Fact]
    public void EverySectionWithRulesIsValidatedAtStart()
    {
        foreach (var section in typeof(ChatOptions).GetProperties().Where(p => p.PropertyType.IsNested && p.PropertyType.DeclaringType == typeof(ChatOptions)))
        {
            var hasRules = section.PropertyType.GetProperties().Any(p => p.GetCustomAttributes<ValidationAttribute>().Any())
                || typeof(IValidatableObject).IsAssignableFrom(section.PropertyType);
            if (hasRules) section.GetCustomAttribute<ValidateObjectMembersAttribute>().ShouldNotBeNull($"Chat:{section.Name} has rules but is not validated");
        }
    }

    /// <summary>Every list setting (found by reflection, so a new one is covered too) holds exactly what was configured.</summary>
    [Fact]
    public void EveryListSettingReplacesItsDefault()
    {
        var lists = typeof(ChatOptions).GetProperties()
            .Where(s => s.PropertyType.DeclaringType == typeof(ChatOptions))
            .SelectMany(s => s.PropertyType.GetProperties().Where(p => p.PropertyType == typeof(string[])).Select(p => (Section: s, List: p)))
            .ToList();
        lists.ShouldNotBeEmpty();
        foreach (var (section, list) in lists)
        {
            var key = $"Chat:{section.Name}:{list.Name}";
            var value = list.Name == "Origins" ? "http://shop.example" : "configured";
            // As appsettings.json gives the default, with the operator's value over it (file or command line).
            var config = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(ChatServer.RepoRoot, "appsettings.json"))
                .AddCommandLine([$"--{key}:0={value}"]).Build();
            var options = ChatOptions.From(config);
            ((string[])list.GetValue(section.GetValue(options))!).ShouldBe([value], key);
        }
    }

    [Fact]
    public async Task RestrictedCorsOriginsAreTheOnlyOnesAnsweredAndTheFlashPolicyNamesThem()
    {
        await using var server = await ChatServer.StartAsync(new() { ["Chat:Cors:Origins:0"] = "http://shop.example" });
        var bob = await server.LoginAsync("bob");
        foreach (var (origin, allowed) in new[] { ("http://shop.example", true), ("http://evil.example", false) })
        {
            using var req = bob.Request(HttpMethod.Get, "api/me");
            req.Headers.Add("Origin", origin);
            using var res = await server.Http.SendAsync(req);
            res.Headers.TryGetValues("Access-Control-Allow-Origin", out var values).ShouldBe(allowed, origin);
            if (allowed) values!.ShouldBe([origin]);
        }
        await using var flash = await TcpReader.ConnectAsync(server);
        flash.Terminator = 0;
        await flash.WriteRawAsync(Encoding.ASCII.GetBytes("<policy-file-request/>\0"));
        var policy = await flash.ReadLineAsync();
        policy!.ShouldContain("<allow-access-from domain=\"shop.example\"");
        policy!.ShouldNotContain("domain=\"*\"");
    }

    [Theory]
    [InlineData("urls", "http://127.0.0.1:0;http://127.0.0.1:0", 2)]
    [InlineData("http_ports", "0", 1)]
    public async Task ThePlatformsUrlsWinOverChatHttp(string key, string value, int listeners)
    {
        // What --urls, ASPNETCORE_URLS and ASPNETCORE_HTTP_PORTS put into configuration. Chat:Http names a port
        // that is taken, so a server that ignored the platform's URLs would fail to start.
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        using var dir = new TempDirectory();
        var app = ChatApp.Build([$"--{key}={value}"], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Chat:Database"] = dir.File("chat.db"),
                ["Chat:Http:Address"] = "127.0.0.1",
                ["Chat:Http:Port"] = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Chat:Socket:Enabled"] = "false",
                ["Chat:Auth:Key"] = ChatServer.Key,
            });
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await using (app)
        {
            await app.StartAsync().DefaultTimeout();
            var bound = app.Services.GetRequiredService<ChatListeners>().AllHttp;
            bound.Count.ShouldBe(listeners);
            foreach (var l in bound)
            {
                using var http = new HttpClient();
                (await http.GetStringAsync($"http://127.0.0.1:{l.IPEndPoint!.Port}/healthz").DefaultTimeout()).ShouldContain("ok");
            }
            await app.StopAsync().DefaultTimeout();
        }
    }
}
