using System.Buffers;
using System.IO.Pipelines;

namespace CometChat.Transports.Socket;

/// <summary>What one read of a framed connection gave.</summary>
internal enum FrameStatus { Frame, TooLong, Closed }

/// <summary>One frame: its bytes (terminator and a trailing CR stripped) and the terminator that ended it.</summary>
internal readonly record struct LineFrame(FrameStatus Status, byte[] Bytes, byte Terminator);

/// <summary>
/// Lines ending in <c>\n</c>, or in <c>\0</c> for Flash XMLSocket clients, never longer than a maximum: a
/// line that outgrows it is reported as soon as it does, without buffering the rest.
/// </summary>
internal static class LineFraming
{
    public const byte Newline = (byte)'\n', Nul = 0;

    /// <summary>
    /// The next frame ending in <paramref name="terminator"/>; the first line of a connection passes null
    /// and may end in either (which one decides the framing from then on).
    /// </summary>
    public static async ValueTask<LineFrame> ReadAsync(PipeReader reader, byte? terminator, int maxBytes, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (TryCut(buffer, terminator, out var line, out var end, out var found))
            {
                if (line.Length > maxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    return new LineFrame(FrameStatus.TooLong, [], found);
                }
                var bytes = line.ToArray();
                reader.AdvanceTo(end);
                if (found == Newline && bytes is [.., (byte)'\r']) bytes = bytes[..^1];
                return new LineFrame(FrameStatus.Frame, bytes, found);
            }
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return new LineFrame(FrameStatus.TooLong, [], terminator ?? Newline);
            }
            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return new LineFrame(FrameStatus.Closed, [], terminator ?? Newline);
            }
            // Everything seen holds no terminator: wait for more bytes, keeping these.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryCut(ReadOnlySequence<byte> buffer, byte? terminator, out ReadOnlySequence<byte> line, out SequencePosition end, out byte found)
    {
        var sequence = new SequenceReader<byte>(buffer);
        var ok = terminator is { } t
            ? sequence.TryReadTo(out line, t, advancePastDelimiter: true)
            : sequence.TryReadToAny(out line, [Newline, Nul], advancePastDelimiter: true);
        end = sequence.Position;
        found = ok ? (terminator ?? buffer.Slice(line.Length, 1).FirstSpan[0]) : (byte)0;
        return ok;
    }

    public static void Write(PipeWriter output, ReadOnlySpan<byte> frame, byte terminator)
    {
        output.Write(frame);
        output.GetSpan(1)[0] = terminator;
        output.Advance(1);
    }
}
