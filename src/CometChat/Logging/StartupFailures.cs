using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace CometChat.Logging;

/// <summary>
/// A start that fails for a reason the operator can fix is told in one line each, naming the setting to change,
/// instead of the host's stack traces: a port another program holds, a setting out of range, a bad key. Anything
/// else is a bug and keeps its stack trace (once: the host's own "Hosting failed to start" copy is held back, see
/// <see cref="HostStartErrors"/>).
/// </summary>
internal static partial class StartupFailures
{
    /// <summary>The exit code after telling <paramref name="e"/>, or null when it is no operator's mistake.</summary>
    public static int? Explain(WebApplication app, Exception e)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CometChat");
        switch (e)
        {
            case IOException { InnerException: AddressInUseException } bind:
                LogPortInUse(log, PortInUse(app, bind.Message));
                return 2;
            case var _ when Settings(e) is { Count: > 0 } failures:
                foreach (var failure in failures) LogBadSetting(log, failure);
                return 2;
            default:
                return null;
        }
    }

    /// <summary>The settings <paramref name="e"/> refuses, each naming its setting; empty when it is no setting's fault.</summary>
    public static IReadOnlyList<string> Settings(Exception e) => e switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        InvalidOperationException bad when NamesASetting(bad.Message) => [bad.Message],
        _ => [],
    };

    /// <summary>A configuration error that names its setting (ours start with it; the binder's quote it).</summary>
    private static bool NamesASetting(string message) =>
        message.StartsWith("Chat:", StringComparison.Ordinal) || message.StartsWith("urls:", StringComparison.Ordinal)
        || message.StartsWith(WebHostDefaults.HttpPortsKey, StringComparison.Ordinal) || (message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) && message.Contains(" at 'Chat:", StringComparison.Ordinal));

    private static string PortInUse(WebApplication app, string message)
    {
        var listeners = app.Services.GetRequiredService<ChatListeners>();
        var port = Port().Match(message) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
        if (listeners.Socket?.IPEndPoint?.Port == port)
            return $"port {port} (the TCP socket) is in use by another program: stop it, or give Chat:Socket:Port a free port (--Chat:Socket:Port={port + 10} on the command line, Chat__Socket__Port={port + 10} in the environment).";
        if (listeners.HttpSetting != "Chat:Http:Port")
            return $"port {port} (HTTP) is in use by another program: stop it, or give {listeners.HttpSetting} a free port.";
        return $"port {port} (HTTP) is in use by another program: stop it, or give Chat:Http:Port a free port (--Chat:Http:Port={port + 10} on the command line, Chat__Http__Port={port + 10} in the environment).";
    }

    [GeneratedRegex(@":(\d+)(?::|\s|$)")]
    private static partial Regex Port();

    [LoggerMessage(3, LogLevel.Critical, "Cannot start: {Reason}")]
    private static partial void LogPortInUse(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Critical, "Cannot start: {Failure}")]
    private static partial void LogBadSetting(ILogger logger, string failure);
}

/// <summary>
/// Holds back the host's own error lines while it starts: a failed start is thrown to <see cref="ChatApp.Run"/>,
/// which tells it once (<see cref="StartupFailures"/>), so the host's copy would only repeat it with a stack trace.
/// </summary>
internal sealed class HostStartErrors
{
    public const string Category = "Microsoft.Extensions.Hosting.Internal.Host";
    private volatile bool _starting;

    public IDisposable Starting()
    {
        _starting = true;
        return new Done(this);
    }

    public bool Allows(LogLevel level) => !(_starting && level >= LogLevel.Error);

    private sealed class Done(HostStartErrors owner) : IDisposable
    {
        public void Dispose() => owner._starting = false;
    }
}
