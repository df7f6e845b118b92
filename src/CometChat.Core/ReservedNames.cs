using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Names with a role, which no first login can claim (issue 11): the support agents (Chat:Support:Agents),
/// the names the operator keeps (Chat:Auth:ReservedNames), a few built-in role names such as
/// <c>support</c>, and every name with a <see cref="Names.ReservedPrefixes"/> prefix (<c>guest-</c>: the desk's guests). A
/// reserved name signs in only with what the operator set: a password hash in Chat:Auth:Passwords
/// (made by <c>hash-password</c>), or a token minted with Chat:Auth:Key.
/// </summary>
internal sealed class ReservedNames
{
    /// <summary>Role names nobody may take by a first login, whatever the configuration says.</summary>
    public static readonly string[] BuiltIn =
        ["support", "admin", "administrator", "root", "system", "cometchat", "operator", "moderator", "staff", "security", "help", "helpdesk"];

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _bySkeleton = new(StringComparer.Ordinal);
    private readonly string[] _prefixSkeletons = [.. Names.ReservedPrefixes.Select(Names.Skeleton)];

    public ReservedNames(IOptions<ChatOptions> options)
    {
        var o = options.Value;
        _names.UnionWith(BuiltIn);
        _names.UnionWith(Names.FromSetting(o.Support.Agents, "Chat:Support:Agents"));
        _names.UnionWith(Names.FromSetting(o.Auth.ReservedNames, "Chat:Auth:ReservedNames"));
        foreach (var (key, hash) in o.Auth.Passwords) // names and hashes were checked at start (ChatOptions.AuthSection.Validate)
        {
            var name = Names.FromSetting([key], "Chat:Auth:Passwords")[0];
            _passwords[name] = hash;
            _names.Add(name); // a name the operator gave a password to is the operator's, not a first login's
        }
        foreach (var name in _names) _bySkeleton.TryAdd(Names.Skeleton(name), name);
    }

    /// <summary>Every reserved name (without the guest prefix, which reserves a whole family).</summary>
    public IReadOnlyCollection<string> All => _names;

    public bool IsReserved(string name) => _names.Contains(name) || Names.IsReserved(name);

    /// <summary>The reserved name (or the guest prefix) that a name with this UTS #39 skeleton looks like, else null.</summary>
    public string? LookAlike(string skeleton)
    {
        if (_bySkeleton.TryGetValue(skeleton, out var name)) return name;
        var prefix = Array.FindIndex(_prefixSkeletons, p => skeleton.StartsWith(p, StringComparison.Ordinal));
        return prefix < 0 ? null : Names.ReservedPrefixes[prefix];
    }

    /// <summary>The PBKDF2 hash the operator configured for <paramref name="name"/>, or null.</summary>
    public string? PasswordOf(string name) => _passwords.GetValueOrDefault(name);
}
