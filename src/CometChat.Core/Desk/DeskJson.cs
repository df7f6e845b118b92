using System.Text.Json;
using System.Text.Json.Serialization;

namespace CometChat.Core;

/// <summary>Where a session's context came from: the visitor's browser, and fields the site signed into the token.</summary>
internal sealed record SessionContext(IReadOnlyDictionary<string, string> Visitor, IReadOnlyDictionary<string, string> Site)
{
    public static readonly string[] VisitorFields = ["page", "referrer", "lang", "ua"];
    public const int MaxFieldChars = 512, MaxSiteFields = 20;

    [JsonIgnore]
    public bool IsEmpty => Visitor.Count == 0 && Site.Count == 0;

    public static SessionContext? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, DeskJson.Default.SessionContext);

    public string ToJson() => JsonSerializer.Serialize(this, DeskJson.Default.SessionContext);

    /// <summary>The visitor-supplied fields of a send (each up to 512 characters, else a 400 naming it) and the token's site fields.</summary>
    public static SessionContext From(Func<string, string?> parameter, IReadOnlyDictionary<string, string> site)
    {
        var visitor = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in VisitorFields)
        {
            if (parameter(name) is not { Length: > 0 } value) continue;
            if (value.Length > MaxFieldChars)
                throw new ChatException(ChatError.BadRequest($"'{name}' is {value.Length} characters; the limit is {MaxFieldChars}."));
            visitor[name] = MessageSender.ReplaceLoneSurrogates(value);
        }
        return new SessionContext(visitor, site);
    }
}

/// <summary>A session as answered (API.md §7); <c>contact</c> only to agents, <c>unread</c> and <c>last</c> in lists.</summary>
internal sealed record SessionView(
    long Sid,
    string Customer,
    bool Guest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Agent,
    string State,
    long OpenedAt,
    long? ClosedAt,
    int? Unread = null,
    Message? Last = null,
    SessionContext? Context = null,
    RatingView? Rating = null,
    string? Contact = null)
{
    public static SessionView Of(DeskSession s, bool forAgent, DeskSessionSummary? summary = null, bool details = true) => new(
        s.Sid, s.Customer, s.IsGuest, s.Agent, s.State, s.OpenedAt, s.ClosedAt,
        summary?.Unread, summary?.Last,
        details ? SessionContext.Parse(s.Context) ?? new SessionContext(new Dictionary<string, string>(), new Dictionary<string, string>()) : null,
        s.Rating is { } score ? new RatingView(score, s.RatingComment) : null,
        forAgent && details ? s.Contact : null);
}

internal sealed record RatingView(long Score, string? Comment);

internal sealed record SessionListView(IReadOnlyList<SessionView> Sessions, bool More);

internal sealed record QueueEntryView(long Sid, string Customer, bool Guest, int Position, long WaitingSince, string? First, SessionContext? Context);

internal sealed record QueueView(IReadOnlyList<QueueEntryView> Queue, long? EstimatedWaitSeconds);

/// <summary>GET /api/support/mine: the caller's own session as a customer.</summary>
internal sealed record MineView(long? Sid, string State, int? Position, long? EstimatedWaitSeconds, bool Offline, string? Reason, string? Agent, bool? Rated);

internal sealed record AgentView(string Agent, bool Online, bool Away, int Load);

internal sealed record AgentsView(IReadOnlyList<AgentView> Agents);

internal sealed record CannedView(string Shortcut, string Body);

internal sealed record CannedListView(IReadOnlyList<CannedView> Canned);

internal sealed record TranscriptView(long Sid, string Customer, string? Agent, string State, long OpenedAt, long? ClosedAt, IReadOnlyList<Message> Messages, string? Text = null, string? Html = null);

internal sealed record ReportView(IReadOnlyList<FigureView> Agents, FigureView Total, long From, long To);

/// <summary>One agent's (or, without <see cref="Agent"/>, the total's) figures; a figure without data is null, never left out.</summary>
internal sealed record FigureView(
    string? Agent,
    int Sessions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? FirstResponseMedianSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CloseMedianSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? RatingAverage,
    int Ratings);

internal sealed record GuestView(string Token, string User);

internal sealed record QueuedView(long Sid, bool Queued, string To);

/// <summary>A webhook delivery's body: <c>{"id","type","createdAt","data"}</c>.</summary>
internal sealed record WebhookBody(string Id, string Type, long CreatedAt, WebhookData Data);

/// <summary>What a desk event carries: the session, and for some types a message, the previous agent or the offline reason.</summary>
internal sealed record WebhookData(SessionView Session, Message? Message = null, string? From = null, string? Reason = null);

/// <summary>The stored JSON of a message, written as is.</summary>
internal sealed class MessageJsonConverter : JsonConverter<Message>
{
    public override Message Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Messages are written, never read, through this converter.");

    public override void Write(Utf8JsonWriter writer, Message value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: true);
}

/// <summary>Source-generated JSON of the desk's answers and events (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(MessageJsonConverter)])]
[JsonSerializable(typeof(SessionContext))]
[JsonSerializable(typeof(SessionView))]
[JsonSerializable(typeof(SessionListView))]
[JsonSerializable(typeof(QueueView))]
[JsonSerializable(typeof(MineView))]
[JsonSerializable(typeof(AgentView))]
[JsonSerializable(typeof(AgentsView))]
[JsonSerializable(typeof(CannedListView))]
[JsonSerializable(typeof(TranscriptView))]
[JsonSerializable(typeof(ReportView))]
[JsonSerializable(typeof(GuestView))]
[JsonSerializable(typeof(QueuedView))]
[JsonSerializable(typeof(WebhookBody))]
internal sealed partial class DeskJson : JsonSerializerContext
{
    /// <summary>Serialises <paramref name="value"/> with the escaping every CometChat answer uses (safe in JSONP and HTML).</summary>
    public static byte[] Bytes<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, MessageJson.WriterOptions)) JsonSerializer.Serialize(w, value, info);
        return buffer.WrittenSpan.ToArray();
    }
}
