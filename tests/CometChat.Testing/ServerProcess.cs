using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace CometChat.Tests.Infrastructure;

/// <summary>CometChat as a separate OS process (for kill -9, SIGTERM and log tests), on 127.0.0.1 port 0.</summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => _port.TrySetException(new InvalidOperationException("The server exited before listening:\n" + Output));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Http { get; private set; } = null!;
    public int Pid => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<ServerProcess> StartAsync(string workingDirectory, params string[] extraArgs)
    {
        var process = new Process { StartInfo = StartInfo(workingDirectory, [.. DefaultSettings(workingDirectory), .. extraArgs]), EnableRaisingEvents = true };
        process.Start();
        var server = new ServerProcess(process);
        var port = await server._port.Task.DefaultTimeout();
        server.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        return server;
    }

    /// <summary>The settings every test process gets (later arguments override them, as on any command line).</summary>
    public static string[] DefaultSettings(string workingDirectory) =>
    [
        "--Chat:Database=" + Path.Combine(workingDirectory, "chat.db"), "--Chat:Http:Address=127.0.0.1", "--Chat:Http:Port=0",
        "--Chat:Socket:Port=0", "--Chat:Socket:Address=127.0.0.1", "--Chat:Auth:Key=" + ChatServer.Key,
        "--Chat:Auth:HashIterations=1000", "--Chat:Limits:Enabled=false",
    ];

    /// <summary>Runs CometChat with exactly <paramref name="args"/> until it exits (a command, or a start that fails).</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(string workingDirectory, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    private static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CometChat.dll"));
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        return psi;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        var m = ListeningLine().Match(line);
        if (m.Success) _port.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>SIGKILL: no shutdown hooks, no final checkpoint.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().DefaultTimeout();
    }

    /// <summary>SIGTERM, as a service manager stops the server; waits for the exit.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().DefaultTimeout();
        return _process.ExitCode;
    }

    // The startup banner's HTTP line (StartupBanner).
    [GeneratedRegex(@"^\s+HTTP\s+http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
