using CometChat.Core;

namespace CometChat.Tests.Security;

/// <summary>Issue 11 hole 2, the profile itself: RFC 8265 UsernameCaseMapped enforcement and UTS #39 skeletons.</summary>
public sealed class NameProfileTests
{
    [Theory]
    [InlineData("J\u00F6rg", "j\u00F6rg")]        // composed
    [InlineData("Jo\u0308rg", "j\u00F6rg")]       // decomposed: the same name, not a second account
    [InlineData("\uFF41nn", "ann")]               // full-width a
    [InlineData("\uFF21\uFF2E\uFF2E", "ann")]     // full-width capitals
    [InlineData("Zed", "zed")]                    // case-folded: Zed beside the agent zed is zed
    [InlineData("alice_b.c-d", "alice_b.c-d")]
    [InlineData("\u092E\u0928\u0940\u0937", "\u092E\u0928\u0940\u0937")] // Devanagari with a spacing vowel sign
    [InlineData("_bot", "_bot")]
    public void NamesAreEnforcedToOneForm(string input, string expected)
    {
        Names.TryNormalize(input, out var name).ShouldBeTrue();
        name.ShouldBe(expected);
    }

    [Theory]
    [InlineData("ann\u034F")]   // combining grapheme joiner (invisible)
    [InlineData("ann\uFE0F")]   // variation selector 16
    [InlineData("ann\u3164")]   // Hangul filler
    [InlineData("ann\u17B4")]   // Khmer inherent vowel
    [InlineData("ann\u200B")]   // zero-width space
    [InlineData("a\u202Enn")]   // right-to-left override
    [InlineData("\u3164")]      // a blank-looking name
    [InlineData("\u0301\u0301")] // combining marks only
    [InlineData("\u0301ann")]   // a mark first
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("-_-")]
    [InlineData("\uFB01sh")]    // the fi ligature (compatibility)
    [InlineData("ann\u2460")]   // circled digit one
    [InlineData("x\u1100")]   // a conjoining jamo that composes with nothing
    [InlineData("a b")]
    [InlineData("a\uD800b")]    // a lone surrogate
    [InlineData("thisnameiswaytoolongforcometchat_x")]
    public void InvisibleBlankAndCompatibilityNamesAreRefused(string input) =>
        Names.TryNormalize(input, out _).ShouldBeFalse();

    [Theory]
    [InlineData("\u0430nn", "ann")]   // Cyrillic a
    [InlineData("b0b", "bob")]        // digit zero
    [InlineData("rnike", "mike")]
    [InlineData("pa\u0443pal", "paypal")] // Cyrillic u
    [InlineData("1ee", "lee")]
    public void LookAlikesShareASkeleton(string a, string b)
    {
        Names.TryNormalize(a, out var na).ShouldBeTrue();
        Names.TryNormalize(b, out var nb).ShouldBeTrue();
        na.ShouldNotBe(nb);
        Names.Skeleton(na).ShouldBe(Names.Skeleton(nb));
    }

    [Fact]
    public void DifferentNamesKeepDifferentSkeletons() => Names.Skeleton("ann").ShouldNotBe(Names.Skeleton("anne"));

    [Theory]
    [InlineData("Alice", "alice")]
    [InlineData("ann\u034F", "ann")]
    [InlineData("..", "user")]
    [InlineData("\u0301x", "x")]
    public void ClosestValidNameForRenamingOldNames(string stored, string expected) => Names.Closest(stored, "user").ShouldBe(expected);
}
