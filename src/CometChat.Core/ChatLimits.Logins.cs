using System.Collections.Concurrent;

namespace CometChat.Core;

/// <summary>
/// Password guessing, slowed for the guesser only (OWASP Authentication Cheat Sheet, login throttling): wrong
/// passwords are counted per name and address together. After Chat:Limits:LoginFreeFailures of them, each
/// further one makes that name-and-address pair wait twice as long before its next attempt is even checked
/// (1 s, 2 s, 4 s ... up to Chat:Limits:LoginMaxDelaySeconds); a right password clears the count. Someone
/// guessing from elsewhere never delays the real user at their own address. Delays run on the monotonic clock
/// here, and in Redis (key expiry) across nodes.
/// </summary>
internal sealed partial class ChatLimits
{
    private const int MaxTracked = 100_000;
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Guesses> _guesses = new(StringComparer.Ordinal);

    /// <summary>429 with Retry-After while <paramref name="name"/> at <paramref name="ip"/> is waiting out its delay.</summary>
    public void CheckLoginGuess(string name, string? ip)
    {
        if (!_o.Enabled) return;
        var key = GuessKey(name, ip);
        var wait = _shared?.LoginDelay(key) ?? LocalDelay(key);
        if (wait is not { } seconds) return;
        _refusals.Refused(RefusalKind.LoginGuess, $"{name} from {ip ?? "unknown"}");
        throw RateLimited($"Too many wrong passwords for 'name' {name} from your address; wait before trying again.", seconds);
    }

    public void LoginFailed(string name, string? ip)
    {
        if (!_o.Enabled) return;
        var key = GuessKey(name, ip);
        if (_shared is not null && _shared.LoginFailed(key, _o.LoginFreeFailures, _o.LoginMaxDelaySeconds, ForgetAfter)) return;
        if (_guesses.Count >= MaxTracked) Forget();
        var now = _time.GetTimestamp();
        _guesses.AddOrUpdate(key, _ => Next(new Guesses(0, now, now), now), (_, g) => Next(g, now));
    }

    public void LoginSucceeded(string name, string? ip)
    {
        if (!_o.Enabled) return;
        var key = GuessKey(name, ip);
        _guesses.TryRemove(key, out _);
        _shared?.LoginSucceeded(key);
    }

    private Guesses Next(Guesses g, long now)
    {
        var failures = _time.GetElapsedTime(g.LastFailure, now) > ForgetAfter ? 1 : g.Failures + 1;
        var over = failures - _o.LoginFreeFailures;
        var delay = over <= 0 ? 0 : Math.Min(_o.LoginMaxDelaySeconds, 1L << Math.Min(over - 1, 30));
        return new Guesses(failures, now, now + (long)(delay * (double)_time.TimestampFrequency));
    }

    private int? LocalDelay(string key)
    {
        if (!_guesses.TryGetValue(key, out var g)) return null;
        var now = _time.GetTimestamp();
        if (g.BlockedUntil <= now) return null;
        return (int)Math.Ceiling(_time.GetElapsedTime(now, g.BlockedUntil).TotalSeconds);
    }

    // Over the cap (an attack from very many addresses): drop the pairs that are not waiting now.
    private void Forget()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, g) in _guesses)
            if (g.BlockedUntil <= now) _guesses.TryRemove(key, out _);
    }

    private static string GuessKey(string name, string? ip) => name + "\n" + (ip ?? "");

    /// <summary>Failures of one name-and-address pair; timestamps from <see cref="TimeProvider.GetTimestamp"/>.</summary>
    private readonly record struct Guesses(int Failures, long LastFailure, long BlockedUntil);
}
