using System.Buffers;
using System.Text;
using CometChat.Core;
using CometChat.Transports.Streaming;
using Microsoft.Extensions.Time.Testing;

namespace CometChat.Tests.Unit;

/// <summary>Each stream format's exact bytes for a start, a message, an event, a heartbeat and the end.</summary>
public sealed class StreamFormatTests
{
    private static readonly Message M = new(5, "c-1", "alice", "bob", "text", "hi\n<b>", 1_700_000_001_000);
    private static readonly ChatEvent E = ChatEvent.Typing("alice", "bob");
    private static readonly string Json = Encoding.UTF8.GetString(M.Json);
    private static readonly string EventJson = Encoding.UTF8.GetString(E.Json);

    private static string Bytes(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string[] All(IStreamFormat f) =>
    [
        Bytes(w => f.WriteStart(w, new Cursor(4))), Bytes(w => f.WriteMessage(w, M)), Bytes(w => f.WriteEvent(w, E)),
        Bytes(w => f.WriteHeartbeat(w, new Cursor(5))), Bytes(w => f.WriteEnd(w, new Cursor(5))),
    ];

    [Fact]
    public void Ndjson() => All(NdjsonFormat.Instance).ShouldBe(
    [
        "{\"kind\":\"heartbeat\",\"cursor\":4}\n", Json + "\n", EventJson + "\n",
        "{\"kind\":\"heartbeat\",\"cursor\":5}\n", "{\"kind\":\"heartbeat\",\"cursor\":5}\n",
    ]);

    [Fact]
    public void Sse() => All(SseFormat.Instance).ShouldBe(
    [
        "retry: 3000\nid: 4\n\n", $"id: 5\nevent: message\ndata: {Json}\n\n", $"event: typing\ndata: {EventJson}\n\n", ": ping\n\n", ": end\n\n",
    ]);

    [Fact]
    public void Multipart()
    {
        const string head = "Content-Type: application/json\r\n\r\n";
        All(new MultipartFormat()).ShouldBe(
        [
            "--cometchat\r\n" + head + "{\"kind\":\"heartbeat\",\"cursor\":4}\r\n--cometchat\r\n",
            head + Json + "\r\n--cometchat\r\n", head + EventJson + "\r\n--cometchat\r\n",
            head + "{\"kind\":\"heartbeat\",\"cursor\":5}\r\n--cometchat\r\n", head + "{\"kind\":\"heartbeat\",\"cursor\":5}\r\n--cometchat--\r\n",
        ]);
    }

    [Fact]
    public void ForeverFrame()
    {
        var parts = All(new ForeverFrameFormat("app.got", "n0nce"));
        parts[0].ShouldStartWith("<!DOCTYPE html>");
        parts[0].Length.ShouldBeGreaterThan(2048);
        parts[0].ShouldEndWith("-->\n<!-- heartbeat 4 -->\n");
        parts[1..].ShouldBe(["<script nonce=\"n0nce\">parent.app.got(" + Json + ");</script>\n", "<script nonce=\"n0nce\">parent.app.got(" + EventJson + ");</script>\n", "<!-- heartbeat 5 -->\n", "</body></html>\n"]);
        Json.ShouldNotContain("<"); // a body can never close the script
    }

    [Fact]
    public void Text()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_002_000));
        All(new TextFormat(time)).ShouldBe(
        [
            "# messages after cursor 4\n", "22:13:21 #5 alice -> bob: hi\\n<b>\n", "22:13:22 alice is typing to bob\n", "\n", "# end of stream; resume with since=5\n",
        ]);
    }
}
