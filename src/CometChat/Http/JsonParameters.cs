using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CometChat.Core;

namespace CometChat.Http;

/// <summary>
/// Reads a JSON object of parameters (a POST body, a WebSocket or TCP command frame) into name → value, the
/// same way on every path: values are strings, numbers (kept as written), booleans or null; a nested object
/// or array, a name given twice, invalid UTF-8 or anything but an object is a 400 naming what was wrong. A
/// lone surrogate escape (<c>"\ud800"</c>), which UTF-8 cannot carry, becomes U+FFFD in names and values, as
/// README promises, instead of failing the request.
/// </summary>
internal static class JsonParameters
{
    public static Dictionary<string, string?> Parse(ReadOnlySpan<byte> utf8, string what)
    {
        if (!Utf8.IsValid(utf8)) throw new ChatException(ChatError.BadRequest($"The {what} is not valid UTF-8."));
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new ChatException(ChatError.BadRequest($"The {what} must be a JSON object of parameters."));
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = ReadString(ref reader);
                reader.Read();
                string? value = reader.TokenType switch
                {
                    JsonTokenType.String => ReadString(ref reader),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    JsonTokenType.True => "true",
                    JsonTokenType.False => "false",
                    JsonTokenType.Null => null,
                    _ => throw new ChatException(ChatError.BadRequest($"'{name}' must be a string or a number.")),
                };
                if (!result.TryAdd(name, value)) throw new ChatException(ChatError.BadRequest($"'{name}' is given more than once."));
            }
            // Anything after the object (a second value, trailing garbage) makes the reader throw here.
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            throw new ChatException(ChatError.BadRequest($"The {what} is malformed JSON: {e.Message}"));
        }
        return result;
    }

    /// <summary>The string token's value; escapes decoded, a lone surrogate escape replaced by U+FFFD.</summary>
    private static string ReadString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return Encoding.UTF8.GetString(reader.ValueSpan);
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Unescape(reader.ValueSpan); // only a lone surrogate escape gets here: the reader checked the rest
        }
    }

    /// <summary>Decodes a JSON string's raw bytes (already validated by the reader), lone surrogates as U+FFFD.</summary>
    internal static string Unescape(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        var i = 0;
        while (i < raw.Length)
        {
            var backslash = raw[i..].IndexOf((byte)'\\');
            var plain = backslash < 0 ? raw[i..] : raw.Slice(i, backslash);
            text.Append(Encoding.UTF8.GetString(plain));
            if (backslash < 0) break;
            i += backslash + 1;
            var c = (char)raw[i++];
            switch (c)
            {
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u':
                    text.Append((char)Convert.ToUInt16(Encoding.ASCII.GetString(raw.Slice(i, 4)), 16));
                    i += 4;
                    break;
                default: text.Append(c); break; // \" \\ \/
            }
        }
        return MessageSender.ReplaceLoneSurrogates(text.ToString());
    }
}
