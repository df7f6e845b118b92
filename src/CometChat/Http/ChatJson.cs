using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CometChat.Endpoints;

namespace CometChat.Http;

/// <summary>
/// Every typed answer of the API, serialised by source-generated code (no reflection): camelCase names, and
/// the default encoder, which escapes &lt; &gt; &amp; and every non-ASCII character, so an answer is safe inside
/// JSONP and a forever-frame script. A new answer record gets its <c>[JsonSerializable]</c> line here.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(OkAnswer))]
[JsonSerializable(typeof(LoginAnswer))]
[JsonSerializable(typeof(MeAnswer))]
[JsonSerializable(typeof(LogoutAnswer))]
[JsonSerializable(typeof(DeletedAnswer))]
[JsonSerializable(typeof(SendAnswer))]
[JsonSerializable(typeof(PageAnswer))]
[JsonSerializable(typeof(HistoryAnswer))]
[JsonSerializable(typeof(SearchAnswer))]
[JsonSerializable(typeof(ConversationsAnswer))]
[JsonSerializable(typeof(ReadAnswer))]
[JsonSerializable(typeof(FileAnswer))]
[JsonSerializable(typeof(BlockAnswer))]
[JsonSerializable(typeof(BlockListAnswer))]
[JsonSerializable(typeof(RoomChangeAnswer))]
[JsonSerializable(typeof(RoomListAnswer))]
[JsonSerializable(typeof(RoomAnswer))]
[JsonSerializable(typeof(Dictionary<string, PresenceAnswer>))]
[JsonSerializable(typeof(SessionChangeAnswer))]
[JsonSerializable(typeof(HealthAnswer))]
[JsonSerializable(typeof(StatsAnswer))]
[JsonSerializable(typeof(PongAnswer))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;

internal static class ChatJson
{
    /// <summary>Typed answers (<c>TypedResults.Ok(record)</c>) are written by <see cref="ChatJsonContext"/>.</summary>
    public static IServiceCollection AddChatJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ChatJsonContext.Default));

    /// <summary>The answer's JSON bytes, for the wires that are not an HTTP answer (JSONP bodies, frames, sockets).</summary>
    public static byte[] Serialize<T>(T value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)ChatJsonContext.Default.GetTypeInfo(typeof(T))!);
}

/// <summary><c>{"ok":true}</c>: done, nothing more to say (typing).</summary>
internal sealed record OkAnswer(bool Ok = true);

/// <summary><c>{"pong":true}</c>: the socket's answer to <c>ping</c>.</summary>
internal sealed record PongAnswer(bool Pong = true);
