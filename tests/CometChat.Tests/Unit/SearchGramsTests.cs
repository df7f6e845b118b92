using CometChat.Core;

namespace CometChat.Tests.Unit;

/// <summary>A stored message's search document is its tokens, space-separated, in order: what a query's phrase matches.</summary>
public sealed class SearchGramsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("Hello, World")]
    [InlineData("退货")]
    [InlineData("我想退货，可以吗？")]
    [InlineData("emoji 😀 in text")]
    [InlineData("ÀÉÎ mixed Ünïcödé")]
    public void TheDocumentIsTheTokensJoinedBySpaces(string body) =>
        SearchGrams.Document(body).ShouldBe(string.Join(' ', SearchGrams.Tokens(body)));

    [Fact]
    public void EveryTokenIsEightLettersOfTheLowercasedPair() =>
        SearchGrams.Document("Ab").ShouldBe("aagbaagc"); // U+0061 U+0062, each hex digit as a letter a..p
}
