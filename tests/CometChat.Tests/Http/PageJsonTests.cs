using System.Buffers;
using System.Text.Json;
using CometChat.Core;
using CometChat.Http;

namespace CometChat.Tests.Http;

/// <summary>The hand-written hot-path pages write exactly the records OpenAPI documents for them.</summary>
public sealed class PageJsonTests
{
    private static readonly Message Text = new(7, "c-1", "alice", "bob", "text", "</script> ü 😀 \u2028", 1_700_000_000_000, Client: "tab");
    private static readonly Message Receipt = new(8, "receipt:7:read", "bob", "alice", "receipt", "read", 1_700_000_000_001, Ref: 7, Sid: 3);

    private static WireMessage Wire(Message m) => new(m.Mid, m.Id, m.From, m.To, m.Kind, m.Body, m.SentAt, m.Ref, m.Sid);

    private static string HandWritten(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, MessageJson.WriterOptions)) write(w);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void MessageJsonIsTheDocumentedWireMessage()
    {
        foreach (var m in new[] { Text, Receipt })
            System.Text.Encoding.UTF8.GetString(m.Json).ShouldBe(System.Text.Encoding.UTF8.GetString(ChatJson.Serialize(Wire(m))));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void PageIsTheDocumentedPageAnswer(bool withEvents, bool superseded)
    {
        IReadOnlyList<ChatEvent>? events = withEvents ? [new ChatEvent("typing", "alice", "bob")] : null;
        var page = new FeedPage([Text, Receipt], new Cursor(8), More: true, events) { Superseded = superseded };
        var documented = new PageAnswer([Wire(Text), Wire(Receipt)], events?.Select(e => new WireEvent(e.Kind, e.From, e.To)).ToList(), 8, true, superseded);
        var buffer = new ArrayBufferWriter<byte>();
        var written = PageResult.Write(buffer, page, callback: null);
        System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan).ShouldBe(System.Text.Encoding.UTF8.GetString(ChatJson.Serialize(documented)));
        written.ShouldBe(buffer.WrittenCount);
        PageResult.Length(page, null).ShouldBe(buffer.WrittenCount);
        PageResult.Length(page, "app.cb").ShouldBe(PageResult.Write(new ArrayBufferWriter<byte>(), page, "app.cb"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(1000)]
    [InlineData(999_999_999_999)]
    public void AnEmptyPagesLengthIsExact(long cursor)
    {
        var page = FeedPage.Empty(new Cursor(cursor));
        PageResult.Length(page, null).ShouldBe(PageResult.Write(new ArrayBufferWriter<byte>(), page, null));
    }
}
