using System.Text;

namespace CometChat.Transports.Socket;

/// <summary>
/// Flash Player asks any socket it connects to for <c>&lt;policy-file-request/&gt;\0</c> first, and opens
/// the real connection only if the answer (an XML document ending in <c>\0</c>) allows its page's domain.
/// Domains come from Chat:Cors:Origins; <c>*</c> is as safe here as for CORS: auth is a token, never a cookie.
/// </summary>
internal static class FlashPolicy
{
    public const string Request = "<policy-file-request/>";

    public static byte[] Document(IEnumerable<string> origins, int port)
    {
        var xml = new StringBuilder()
            .Append("<?xml version=\"1.0\"?>\n")
            .Append("<!DOCTYPE cross-domain-policy SYSTEM \"/xml/dtds/cross-domain-policy.dtd\">\n")
            .Append("<cross-domain-policy>\n")
            .Append("  <site-control permitted-cross-domain-policies=\"master-only\"/>\n");
        foreach (var domain in Domains(origins))
            xml.Append("  <allow-access-from domain=\"").Append(domain).Append("\" to-ports=\"").Append(port).Append("\"/>\n");
        xml.Append("</cross-domain-policy>\n\0");
        return Encoding.UTF8.GetBytes(xml.ToString());
    }

    private static IEnumerable<string> Domains(IEnumerable<string> origins)
    {
        var domains = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var origin in origins)
        {
            if (origin == "*") return ["*"];
            if (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.IdnHost is { Length: > 0 } host) domains.Add(host);
        }
        return domains;
    }
}
