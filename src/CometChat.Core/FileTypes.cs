using System.Text;

namespace CometChat.Core;

/// <summary>
/// A file's type from its first bytes, never from the client's name or claim. Hand-written because no maintained
/// MIME-detection library is served here (Mime-Detective is a 2017 beta; the libmagic wrapper does not restore), and
/// CometChat needs only a handful: the four image types the page and widget show inline (PNG, JPEG, GIF, WebP),
/// PDF, and plain text (valid UTF-8 without control characters: HTML and SVG are text, and are served as such, as
/// attachments). Everything else is <c>application/octet-stream</c>.
/// </summary>
internal static class FileTypes
{
    public const string Png = "image/png", Jpeg = "image/jpeg", Gif = "image/gif", Webp = "image/webp",
        Pdf = "application/pdf", Text = "text/plain", Binary = "application/octet-stream";

    /// <summary>Types shown inline (API.md §8); everything else is served as an attachment.</summary>
    public static bool IsInlineImage(string type) => type is Png or Jpeg or Gif or Webp;

    public static string Detect(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return Png;
        if (content.Length >= 3 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF) return Jpeg;
        if (content.StartsWith("GIF87a"u8) || content.StartsWith("GIF89a"u8)) return Gif;
        if (content.Length >= 12 && content.StartsWith("RIFF"u8) && content[8..12].SequenceEqual("WEBP"u8)) return Webp;
        if (content.StartsWith("%PDF-"u8)) return Pdf;
        return IsText(content) ? Text : Binary;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static bool IsText(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty) return false;
        foreach (var b in content)
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)) return false;
        try
        {
            StrictUtf8.GetCharCount(content);
            return true;
        }
        catch (DecoderFallbackException) { return false; }
    }
}
