using Npgsql;

namespace CometChat.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL and Redis that the scale-out tests run against, found through environment variables
/// (.ci/services starts both and prints them). Missing ones fail the test with how to start them: never a skip.
/// </summary>
internal static class TestServices
{
    public static string Postgres => Require("COMETCHAT_TEST_POSTGRES", "a PostgreSQL connection string (superuser, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres)");
    public static string Redis => Require("COMETCHAT_TEST_REDIS", "a Redis host:port");
    public static string RedisServer => Require("COMETCHAT_TEST_REDIS_SERVER", "the path of redis-server (tests start their own to stop it)");

    /// <summary>Settings that put a server on a fresh PostgreSQL database (ChatServer creates and drops it).</summary>
    public static Dictionary<string, string?> OnPostgres => new() { ["Chat:Store"] = "postgres" };

    /// <summary>Settings for one node of a cluster: a shared database, and a Redis prefix of its own so parallel tests never meet.</summary>
    public static Dictionary<string, string?> Node(string postgres, string prefix, string? redis = null) => new()
    {
        ["Chat:Store"] = "postgres",
        ["ConnectionStrings:Postgres"] = postgres,
        ["Chat:Backplane"] = "redis",
        ["ConnectionStrings:Redis"] = redis ?? Redis,
        ["Chat:Redis:Prefix"] = prefix,
    };

    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, Dictionary<string, string?> more)
    {
        var all = new Dictionary<string, string?>(settings);
        foreach (var (k, v) in more) all[k] = v;
        return all;
    }

    private static string Require(string name, string what)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) return value;
        if (Started.Value.TryGetValue(name, out var started)) return started;
        throw new InvalidOperationException(
            $"{name} is not set: this test needs {what}. Start PostgreSQL and Redis with: eval \"$(.ci/services start)\" (.ci/run does this).");
    }

    /// <summary>
    /// When nothing was handed in, a plain `dotnet test` starts its own pair through the same .ci/services
    /// script (which installs the Debian packages if missing) and stops it when the test run ends.
    /// If that fails, its output becomes the error, so the tests fail loudly instead of skipping.
    /// </summary>
    private static readonly Lazy<Dictionary<string, string>> Started = new(() =>
    {
        var script = Path.Combine(ChatServer.RepoRoot, ".ci", "services");
        var state = Path.Combine(Path.GetTempPath(), "cometchat-test-services-" + Environment.ProcessId);
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("start");
        psi.Environment["COMETCHAT_SERVICES_STATE"] = state;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"Starting PostgreSQL and Redis with {script} failed ({p.ExitCode}): {stderr.Result}");
        // The test host is torn down without a normal exit, so a detached watchdog stops the pair once it is gone.
        var watchdog = new System.Diagnostics.ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "bash", "-c", $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; COMETCHAT_SERVICES_STATE='{state}' bash '{script}' stop" })
            watchdog.ArgumentList.Add(a);
        System.Diagnostics.Process.Start(watchdog)?.Dispose();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, "^export (COMETCHAT_TEST_[A-Z_]+)=\"?([^\"]*)\"?$");
            if (m.Success) found[m.Groups[1].Value] = m.Groups[2].Value;
        }
        return found;
    });
}

/// <summary>A fresh PostgreSQL database per test, dropped (with its connections) on dispose.</summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    private PostgresTestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = TestServices.Postgres;
        var name = "cometchat_test_" + Guid.NewGuid().ToString("n");
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 30 }.ConnectionString;
        return new PostgresTestDatabase(name, cs);
    }

    /// <summary>Runs SQL as the administrator, outside the database under test (for fault injection).</summary>
    public static async Task AdminAsync(string sql)
    {
        await using var c = new NpgsqlConnection(TestServices.Postgres);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<long> AdminScalarAsync(string sql, string database)
    {
        await using var c = new NpgsqlConnection(TestServices.Postgres);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("db", database);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}
