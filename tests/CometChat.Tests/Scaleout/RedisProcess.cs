using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Scaleout;

/// <summary>A redis-server of one test's own, on a free loopback port, that the test stops and starts again.</summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private Process? _process;

    private RedisProcess(int port) => Port = port;

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var redis = new RedisProcess(FreePort());
            // Another deliberate bind may take the port between the check and redis-server's bind: take another.
            if (await redis.TryStartAsync()) return redis;
            if (attempt == 5) throw new InvalidOperationException($"redis-server did not start on a free port in {attempt} attempts.");
        }
    }

    /// <summary>Starts it again on the same port (the nodes were configured with it).</summary>
    public async Task StartAgainAsync()
    {
        if (!await TryStartAsync()) throw new InvalidOperationException($"redis-server could not listen on port {Port} again (taken meanwhile?).");
    }

    private async Task<bool> TryStartAsync()
    {
        var psi = new ProcessStartInfo(TestServices.RedisServer)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            psi.ArgumentList.Add(arg);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow + TaskTimeouts.Default;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                // Whoever answered, ours is only listening if it is still running (one that failed to bind exits).
                if (_process.HasExited) break;
                return true;
            }
            catch (SocketException) when (DateTime.UtcNow < until && !_process.HasExited)
            {
                await Task.Delay(20);
            }
            catch (SocketException) { break; }
        }
        await StopAsync();
        return false;
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync().DefaultTimeout();
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// A free loopback port below the kernel's ephemeral range, so no outgoing connection or port-0 bind can be handed
    /// it while this Redis is stopped for an outage and started again on it.
    /// </summary>
    private static int FreePort()
    {
        var low = 32768;
        try { low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        for (var i = 0; i < 200; i++)
        {
            var port = Random.Shared.Next(10000, Math.Max(low, 10001));
            try
            {
                using var l = new TcpListener(IPAddress.Loopback, port);
                l.Start();
                return port;
            }
            catch (SocketException) { } // taken: try another
        }
        throw new InvalidOperationException("No free loopback port below the ephemeral range.");
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
