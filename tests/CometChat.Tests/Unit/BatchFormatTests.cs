using System.Buffers;
using System.Text.Json;
using CometChat.Backplane;
using CometChat.Core;

namespace CometChat.Tests.Unit;

/// <summary>A batch crosses the backplane whole: every field of every message, its recipients, and the messages it rewrote.</summary>
public sealed class BatchFormatTests
{
    [Fact]
    public void ABatchReadsBackAsItWasWritten()
    {
        var direct = new Message(11, "i1", "alice", "bob", MessageKinds.Text, "hi <&>", 1_700_000_000_000, Ref: 3, Sid: 4, Client: "tab",
            EditedAt: 1_700_000_000_500, File: "{\"id\":\"f\",\"name\":\"a.txt\",\"size\":3,\"type\":\"text/plain\"}");
        var room = new Message(12, "i2", "carol", "#lobby", MessageKinds.Join, "", 1_700_000_000_001);
        var erased = new Message(9, "i3", "dave", "bob", MessageKinds.Text, "", 1_699_000_000_001, ErasedAt: 1_700_000_000_003);
        var recalled = new Message(5, "i0", "alice", "bob", MessageKinds.Text, "", 1_699_000_000_000, RecalledAt: 1_700_000_000_002);
        var batch = new CommittedBatch(10, 13, [new Appended(direct, ["alice", "bob"]), new Appended(room, null)], [new Appended(recalled, ["alice", "bob"]), new Appended(erased, ["bob", "dave"])], Erased: true);

        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            BatchFormat.Write(w, batch);
            w.WriteEndObject();
        }
        var read = BatchFormat.Read(JsonDocument.Parse(buffer.WrittenMemory).RootElement);

        (read.After, read.UpTo).ShouldBe((10L, 13L));
        read.Messages.Select(a => a.Message).ShouldBe([direct, room]);
        read.Messages[0].Recipients.ShouldBe(["alice", "bob"]);
        read.Messages[1].Recipients.ShouldBeNull();
        read.Changed!.Select(a => a.Message).ShouldBe([recalled, erased]);
        read.Erased.ShouldBeTrue();
    }
}
