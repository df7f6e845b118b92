using Acornima;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Static;

/// <summary>Every script in static/ must parse as ECMAScript 3: the page, library and widget promise IE6+.</summary>
public sealed class Es3ScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        var root = Path.Combine(ChatServer.RepoRoot, "static");
        foreach (var file in Directory.EnumerateFiles(root, "*.js", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Fact]
    public void StaticHoldsTheLibraryPageAndWidget()
    {
        var root = Path.Combine(ChatServer.RepoRoot, "static");
        var names = Directory.EnumerateFiles(root, "*.js").Select(Path.GetFileName).ToList();
        names.ShouldContain("cometchat.js");
        names.ShouldContain("embed.js");
        names.ShouldContain("chat-page.js");
        names.ShouldContain("agent.js");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ParsesAsEcmaScript3(string file)
    {
        var code = File.ReadAllText(Path.Combine(ChatServer.RepoRoot, "static", file));
        var trailingCommas = new List<int>();
        var parser = new Parser(new ParserOptions
        {
            EcmaVersion = EcmaVersion.ES3,
            // Old IE rejects keywords and ES3's reserved words even as property names (x.delete, {class: 1}).
            AllowReserved = AllowReservedOption.Never,
            // IE8 and older read [1,] as two elements and reject {a: 1,}.
            OnTrailingComma = (pos, _) => trailingCommas.Add(pos),
        });

        Should.NotThrow(() => parser.ParseScript(code, file), $"{file} is not ECMAScript 3");
        trailingCommas.ShouldBeEmpty($"{file} has trailing commas at offsets {string.Join(", ", trailingCommas)}");
    }

    [Theory]
    [InlineData("let x = 1;")]
    [InlineData("var f = () => 1;")]
    [InlineData("var o = {a: 1,};")]
    [InlineData("x.delete(1);")]
    [InlineData("var o = {class: 1};")]
    [InlineData("var s = `t`;")]
    public void RejectsWhatOldBrowsersReject(string code)
    {
        var commas = 0;
        var parser = new Parser(new ParserOptions
        {
            EcmaVersion = EcmaVersion.ES3,
            AllowReserved = AllowReservedOption.Never,
            OnTrailingComma = (_, _) => commas++,
        });
        var rejected = commas > 0;
        try { parser.ParseScript(code); }
        catch (ParseErrorException) { rejected = true; }
        rejected = rejected || commas > 0;
        rejected.ShouldBeTrue(code);
    }
}
