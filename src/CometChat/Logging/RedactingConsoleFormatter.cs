using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace CometChat.Logging;

/// <summary>
/// The console log format, with secrets removed: tokens and passwords travel in URLs (JSONP,
/// EventSource, WebSocket), and a request line or exception quoting one must not leak it to a log.
/// </summary>
internal sealed partial class RedactingConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "cometchat";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.WriteLine(']');
        if (message is not null)
        {
            textWriter.Write("      ");
            // Continuation lines (the startup banner) keep the message's indent.
            textWriter.WriteLine(Redact(message).Replace("\n", "\n      ", StringComparison.Ordinal));
        }
        if (logEntry.Exception is not null) textWriter.WriteLine(Redact(logEntry.Exception.ToString()));
    }

    public static string Redact(string text) => Secret().Replace(text, m => m.Groups[1].Success ? m.Groups[1].Value + "***" : m.Groups[2].Value + "***");

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    [GeneratedRegex(@"((?:token|password|access_token|key)=)[^&\s""'<>]*|(Bearer\s+)[A-Za-z0-9\-_.~+/=]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Secret();
}
