using CometChat.Http;

namespace CometChat.Tests.Unit;

/// <summary>API.md §1's callback rule, without a server.</summary>
public sealed class JsonpRuleTests
{
    [Theory]
    [InlineData("cb")]
    [InlineData("cometchat.receive")]
    [InlineData("$jq_123.a_b.$")]
    [InlineData("_")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")] // 64
    public void AcceptsIdentifierPaths(string callback) => Jsonp.Problem(callback).ShouldBeNull();

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("cb\n")] // '$' would match before a final newline; the rule anchors at the very end
    [InlineData("\ncb")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012345")] // 65
    [InlineData("alert(1)")]
    [InlineData("a..b")]
    [InlineData("a.")]
    [InlineData("1a")]
    [InlineData("a-b")]
    [InlineData("function")]
    [InlineData("x.delete")]
    [InlineData("ａ")]
    public void RefusesEverythingElseWithoutEchoingIt(string? callback)
    {
        var problem = Jsonp.Problem(callback);
        problem.ShouldNotBeNull();
        problem.ShouldContain("'callback'");
        if (!string.IsNullOrWhiteSpace(callback) && callback.Length > 2) problem.ShouldNotContain(callback);
    }
}
