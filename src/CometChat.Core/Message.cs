namespace CometChat.Core;

/// <summary>
/// A stored feed message. <see cref="Client"/> is the sending tab and never goes on the wire. A recalled message
/// (<see cref="RecalledAt"/>, epoch ms) keeps its mid and place with an empty body and no file; so does an erased one
/// (<see cref="ErasedAt"/>: account deletion, retention), which says <c>"erased":true</c>; an edited one carries
/// its latest body and <see cref="EditedAt"/>. <see cref="File"/> is a file message's <c>{"id","name","size","type"}</c>,
/// kept as the JSON the wire carries (written once by <see cref="FileInfoJson"/>).
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
    long? RecalledAt = null,
    long? EditedAt = null,
    string? File = null,
    long? ErasedAt = null)
{
    private byte[]? _json;

    /// <summary>The wire JSON, serialised once and shared by every transport and recipient.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public byte[] Json => _json ??= MessageJson.Serialize(this);
}

internal static class MessageKinds
{
    public const string Text = "text";
    public const string File = "file";
    public const string Receipt = "receipt";
    public const string Join = "join";
    public const string Leave = "leave";
    public const string Session = "session";
    /// <summary>A read marker: to the reader's own feed, <c>body</c> = the conversation, <c>ref</c> = read up to.</summary>
    public const string Read = "read";
    /// <summary>The sender took message <c>ref</c> back; its body (and file) are erased.</summary>
    public const string Recall = "recall";
    /// <summary>The sender replaced the body of message <c>ref</c> with this one's.</summary>
    public const string Edit = "edit";

    /// <summary>What a person wrote: counted as unread, searched, recalled and edited.</summary>
    public static bool IsContent(string kind) => kind is Text or File;

    /// <summary>Kinds that change other messages or mark progress: never in history (they are applied there).</summary>
    public static bool IsFeedOnly(string kind) => kind is Receipt or Read or Recall or Edit;

    /// <summary>The kinds <see cref="IsFeedOnly"/> names, for the store's history queries.</summary>
    public static readonly string[] FeedOnly = [Receipt, Read, Recall, Edit];
    /// <summary>An agent's internal note on a support session: agents only, never the customer.</summary>
    public const string Note = "note";
    /// <summary>The customer's rating of a closed support session; the body starts with the score.</summary>
    public const string Rating = "rating";

    /// <summary>Kinds whose body a person wrote, which account deletion and retention erase (with their edits), as a recall does.</summary>
    public static readonly string[] Erasable = [Text, File];
}
