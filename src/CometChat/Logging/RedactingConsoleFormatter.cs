using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace CometChat.Logging;

/// <summary>
/// The console log format, with secrets removed: tokens and passwords travel in URLs (JSONP, EventSource,
/// WebSocket), and a request line or exception quoting one must not leak it to a log. A parameter is judged by
/// its decoded name, as the server reads it (<c>?to%6Ben=</c> is <c>token</c>, and so is <c>TOKEN</c>), in
/// query strings, form bodies and JSON alike; Bearer and Basic credentials and the TCP socket's AUTH line too.
/// It is the only log provider (see ChatApp), so no other sink sees an unredacted line.
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

    public static string Redact(string text)
    {
        text = Parameter().Replace(text, m => IsSecret(m.Groups["name"].Value) ? m.Groups["head"].Value + "***" : m.Value);
        text = JsonMember().Replace(text, m => IsSecret(m.Groups["name"].Value) ? m.Groups["head"].Value + "\"***\"" : m.Value);
        return Credential().Replace(text, "${scheme}***");
    }

    /// <summary>A parameter name that carries a secret, once percent- and plus-decoded as the server decodes it.</summary>
    public static bool IsSecret(string name)
    {
        string decoded;
        try { decoded = WebUtility.UrlDecode(name); }
        catch (ArgumentException) { decoded = name; }
        decoded = decoded.ToLowerInvariant();
        return decoded.Contains("token", StringComparison.Ordinal) || decoded.Contains("password", StringComparison.Ordinal)
            || decoded.Contains("passwd", StringComparison.Ordinal) || decoded.Contains("secret", StringComparison.Ordinal)
            || decoded is "key" or "apikey" or "api_key" or "pwd";
    }

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

    // name=value in a query string or form body: after the start, '?', '&', ';', whitespace or a quote.
    [GeneratedRegex(@"(?<head>(?<=^|[?&;\s""'(])(?<name>[^=&?;\s""'<>()]+)=)[^&;\s""'<>]*", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    [GeneratedRegex(@"(?<head>""(?<name>[^""\\]{1,64})""\s*:\s*)""(?:[^""\\]|\\.)*""", RegexOptions.CultureInvariant)]
    private static partial Regex JsonMember();

    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic)\s+|^AUTH\s+|\bAUTH\s+(?=[A-Za-z0-9\-_]+\.))[A-Za-z0-9\-_.~+/=]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex Credential();
}
