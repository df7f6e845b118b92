using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>A shop's page with the widget pasted in (embed.js from the chat server), and what a shopper does in it.</summary>
internal static class Shop
{
    /// <summary>The shop's HTML: a heading, a line of text and the embed tag with <paramref name="attributes"/> (e.g. <c>data-token="…"</c>).</summary>
    public static string Page(ChatHost server, string attributes, string heading = "Tea &amp; Kettles") => $"""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Shop</title></head>
        <body style="font-family: Georgia, serif; margin: 40px"><h1>{heading}</h1><p>Fine teas since 1892.</p>
        <script src="{server.Origin}/embed.js" data-server="{server.Origin}" {attributes}></script>
        </body></html>
        """;

    /// <summary>The bodies of the stored messages the widget's thread shows, in order.</summary>
    public static ILocator Thread(IPage shop) => shop.Locator("#cometchat-w-log .cometchat-w-msg[data-mid] span");

    /// <summary>Types <paramref name="text"/> into the open panel and waits until the server has stored it.</summary>
    public static async Task AskAsync(IPage shop, string text)
    {
        await shop.FillAsync("#cometchat-w-input", text);
        await shop.PressAsync("#cometchat-w-input", "Enter");
        await Expect(Thread(shop).Filter(new() { HasText = text })).ToHaveCountAsync(1);
    }
}
