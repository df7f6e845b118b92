using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace CometChat.Http;

/// <summary>
/// Chat:Http:TrustedProxies: the reverse proxies whose X-Forwarded-For names the client. ASP.NET Core's forwarded
/// headers middleware rewrites a proxied request's address to the client's (walking the header from the right while
/// the hops are trusted), so every per-address limit counts clients, not the proxy; connections from a trusted proxy
/// are exempt from the per-address connection caps. With none configured, the header is ignored.
/// </summary>
internal sealed class TrustedProxies
{
    private readonly List<IPAddress> _addresses = [];
    private readonly List<System.Net.IPNetwork> _networks = [];

    public TrustedProxies(IOptions<ChatOptions> options)
    {
        // Each entry was checked at start (ChatOptions.HttpSection.Validate).
        foreach (var entry in options.Value.Http.TrustedProxies)
        {
            if (!ChatOptions.HttpSection.TryParseProxy(entry, out var address, out var network)) continue;
            if (address is null) _networks.Add(network);
            else _addresses.Add(address);
        }
    }

    public bool Any => _addresses.Count > 0 || _networks.Count > 0;

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _addresses.Any(a => a.Equals(address)) || _networks.Any(n => n.Contains(address));
    }

    public ForwardedHeadersOptions Options()
    {
        var o = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
        // The defaults trust loopback: only what the operator listed is trusted.
        o.KnownProxies.Clear();
        o.KnownIPNetworks.Clear();
        foreach (var a in _addresses) o.KnownProxies.Add(a);
        foreach (var n in _networks) o.KnownIPNetworks.Add(n);
        return o;
    }
}
