namespace CometChat.Core;

/// <summary>
/// A stored feed message. <see cref="Client"/> is the sending tab and never goes on the wire. An erased message
/// (<see cref="ErasedAt"/>, epoch ms) keeps its mid and place with an empty body, and says <c>"erased":true</c>.
/// </summary>
internal sealed record Message(
    long Mid,
    string Id,
    string From,
    string To,
    string Kind,
    string Body,
    long SentAt,
    long? Ref = null,
    long? Sid = null,
    string? Client = null,
    long? ErasedAt = null)
{
    private byte[]? _json;

    /// <summary>The wire JSON, serialised once and shared by every transport and recipient.</summary>
    public byte[] Json => _json ??= MessageJson.Serialize(this);
}

internal static class MessageKinds
{
    public const string Text = "text";
    public const string Receipt = "receipt";
    public const string Join = "join";
    public const string Leave = "leave";
    public const string Session = "session";

    /// <summary>Kinds whose body a person wrote, which account deletion and retention erase (files join when they exist).</summary>
    public static readonly string[] Erasable = [Text];
}
