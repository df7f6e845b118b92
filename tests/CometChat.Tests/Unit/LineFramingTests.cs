using System.IO.Pipelines;
using System.Text;
using CometChat.Transports.Socket;

namespace CometChat.Tests.Unit;

/// <summary>The TCP socket's framing over a pipe, without a socket.</summary>
public sealed class LineFramingTests
{
    private static async Task<List<LineFrame>> FramesAsync(byte? terminator, int max, params string[] writes)
    {
        var pipe = new Pipe();
        foreach (var w in writes) await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(w));
        await pipe.Writer.CompleteAsync();
        var frames = new List<LineFrame>();
        while (true)
        {
            var f = await LineFraming.ReadAsync(pipe.Reader, terminator, max, CancellationToken.None);
            frames.Add(f);
            if (f.Status != FrameStatus.Frame) return frames;
        }
    }

    private static string Text(LineFrame f) => Encoding.UTF8.GetString(f.Bytes);

    [Fact]
    public async Task NewlineFramesDropATrailingCarriageReturn()
    {
        var frames = await FramesAsync(LineFraming.Newline, 100, "one\r\ntw", "o\n\nthree");
        frames.Select(f => (f.Status, Text(f))).ShouldBe([(FrameStatus.Frame, "one"), (FrameStatus.Frame, "two"), (FrameStatus.Frame, ""), (FrameStatus.Closed, "")]);
    }

    [Fact]
    public async Task TheFirstLineChoosesTheTerminator()
    {
        (await FramesAsync(null, 100, "AUTH x\0"))[0].Terminator.ShouldBe(LineFraming.Nul);
        (await FramesAsync(null, 100, "AUTH x\n"))[0].Terminator.ShouldBe(LineFraming.Newline);
        // NUL framing keeps a carriage return: only newline framing strips it.
        Text((await FramesAsync(LineFraming.Nul, 100, "a\r\0"))[0]).ShouldBe("a\r");
    }

    [Fact]
    public async Task ALineOverTheLimitIsReportedWithoutWaitingForItsEnd()
    {
        (await FramesAsync(LineFraming.Newline, 8, "123456789"))[0].Status.ShouldBe(FrameStatus.TooLong);
        (await FramesAsync(LineFraming.Newline, 8, "123456789\n"))[0].Status.ShouldBe(FrameStatus.TooLong);
        Text((await FramesAsync(LineFraming.Newline, 8, "12345678\n"))[0]).ShouldBe("12345678");
    }
}
