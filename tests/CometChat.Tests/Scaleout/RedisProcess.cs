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
        var redis = new RedisProcess(FreePort());
        await redis.StartAgainAsync();
        return redis;
    }

    public async Task StartAgainAsync()
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
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until && !_process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Kill();
        await _process.WaitForExitAsync().DefaultTimeout();
        _process.Dispose();
        _process = null;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
