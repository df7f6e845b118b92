using CometChat.Core;

namespace CometChat.Tests.Unit;

public sealed class CursorTests
{
    [Theory]
    [InlineData("0", 10, 0)]
    [InlineData("10", 10, 10)]
    [InlineData("007", 10, 7)]
    public void ParsesCursorsUpToTheHead(string value, long head, long mid) => Cursor.Parse(value, head).ShouldBe(new Cursor(mid));

    [Fact]
    public void AbsentIsNullForTheCallerToDefault() => Cursor.Parse(null, 10).ShouldBeNull();

    [Theory]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    [InlineData("abc")]
    [InlineData("99999999999999999999999")]
    public void RefusesNonCursorsNamingTheParameter(string value)
    {
        var e = Should.Throw<ChatException>(() => Cursor.Parse(value, 10, "Last-Event-ID"));
        e.Error.Kind.ShouldBe(ChatErrorKind.BadRequest);
        e.Error.Detail.ShouldContain("'Last-Event-ID'");
    }

    [Fact]
    public void ACursorPastTheHeadIsAheadNotBad()
    {
        var e = Should.Throw<ChatException>(() => Cursor.Parse("11", 10));
        e.Error.Kind.ShouldBe(ChatErrorKind.CursorAhead);
        e.Error.Code.ShouldBe("cursor_ahead");
        e.Error.Detail.ShouldContain("'since'");
    }
}
