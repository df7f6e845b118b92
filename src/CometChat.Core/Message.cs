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
    [property: System.Text.Json.Serialization.JsonIgnore] string? Client = null,
    [property: System.Text.Json.Serialization.JsonIgnore] long? ErasedAt = null)
{
    private byte[]? _json;

    /// <summary>The wire JSON, serialised once and shared by every transport and recipient.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public byte[] Json => _json ??= MessageJson.Serialize(this);
}

internal static class MessageKinds
{
    public const string Text = "text";
    public const string Receipt = "receipt";
    public const string Join = "join";
    public const string Leave = "leave";
    public const string Session = "session";
    /// <summary>An agent's internal note on a support session: agents only, never the customer.</summary>
    public const string Note = "note";
    /// <summary>The customer's rating of a closed support session; the body starts with the score.</summary>
    public const string Rating = "rating";

    /// <summary>Kinds whose body a person wrote, which account deletion and retention erase (files join when they exist).</summary>
    public static readonly string[] Erasable = [Text];
}
