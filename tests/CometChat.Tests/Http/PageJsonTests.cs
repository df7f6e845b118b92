using CometChat.Core;
using CometChat.Http;

namespace CometChat.Tests.Http;

/// <summary>The hand-written hot-path pages write exactly the records OpenAPI documents for them.</summary>
public sealed class PageJsonTests
{
    private static readonly Message Text = new(7, "c-1", "alice", "bob", "text", "</script> ü 😀 \u2028", 1_700_000_000_000, Client: "tab");
    private static readonly Message Receipt = new(8, "receipt:7:read", "bob", "alice", "receipt", "read", 1_700_000_000_001, Ref: 7, Sid: 3);

    private static readonly Message Recalled = new(9, "c-2", "alice", "#lobby", "text", "", 1_700_000_000_002, RecalledAt: 1_700_000_000_003);
    private static readonly Message EditedFile = new(10, "c-3", "alice", "bob", "file", "caption <b>", 1_700_000_000_004, EditedAt: 1_700_000_000_005,
        File: FileInfoJson.Serialize("f1", "ü.png", 70, "image/png"));

    private static WireMessage Wire(Message m) => new(m.Mid, m.Id, m.From, m.To, m.Kind, m.Body, m.SentAt, m.Ref, m.Sid,
        m.RecalledAt is not null, m.EditedAt, m.File is null ? null : new WireFile("f1", "ü.png", 70, "image/png"));

    private static async Task<string> ExecuteAsync(IResult result)
    {
        var ctx = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        using var body = new MemoryStream();
        ctx.Response.Body = body;
        await result.ExecuteAsync(ctx);
        ctx.Response.ContentLength.ShouldBe(body.Length);
        return System.Text.Encoding.UTF8.GetString(body.ToArray());
    }

    [Fact]
    public void MessageJsonIsTheDocumentedWireMessage()
    {
        foreach (var m in new[] { Text, Receipt, Recalled, EditedFile })
            System.Text.Encoding.UTF8.GetString(m.Json).ShouldBe(System.Text.Encoding.UTF8.GetString(ChatJson.Serialize(Wire(m))));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task PageIsTheDocumentedPageAnswer(bool withEvents, bool superseded)
    {
        IReadOnlyList<ChatEvent>? events = withEvents ? [ChatEvent.Typing("alice", "bob"), ChatEvent.Queue(7, 2, 95), ChatEvent.Queue(8, 3, null), ChatEvent.Desk(3)] : null;
        var page = new FeedPage([Text, Receipt], new Cursor(8), More: true, events) { Superseded = superseded };
        IReadOnlyList<WireEvent>? wire = withEvents
            ? [new WireEvent("typing", "alice", "bob"), new WireEvent("queue", Sid: 7, Position: 2, EstimatedWaitSeconds: 95), new WireEvent("queue", Sid: 8, Position: 3), new WireEvent("desk", Queued: 3)]
            : null;
        var documented = new PageAnswer([Wire(Text), Wire(Receipt)], wire, 8, true, superseded);
        (await ExecuteAsync(ChatResponse.Page(page))).ShouldBe(System.Text.Encoding.UTF8.GetString(ChatJson.Serialize(documented)));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(9, null)]
    [InlineData(10, "cb")]
    [InlineData(1000, "app.receive")]
    [InlineData(999_999_999_999, null)]
    public void ThePageLengthIsKnownBeforeTheFirstByte(long cursor, string? callback)
    {
        // Kestrel freezes the headers at the first write, so Content-Length is computed before writing, separately.
        foreach (var page in new[] { FeedPage.Empty(new Cursor(cursor)), new FeedPage([Text, Receipt], new Cursor(cursor), true, [ChatEvent.Typing("a", "b")]) })
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            PageResult.Write(buffer, page, callback).ShouldBe(buffer.WrittenCount);
            PageResult.Length(page, callback).ShouldBe(buffer.WrittenCount);
        }
    }
}
