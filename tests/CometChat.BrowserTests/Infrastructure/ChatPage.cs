using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CometChat.BrowserTests.Infrastructure;

/// <summary>index.html driven the way a person uses it.</summary>
internal sealed class ChatPage(IPage page, string user)
{
    public IPage Page { get; } = page;
    public string User { get; } = user;

    public static async Task<ChatPage> SignInAsync(IPage page, Uri server, string user, string transport = "auto")
    {
        await page.GotoAsync(new Uri(server, "?transport=" + transport).ToString());
        await page.FillAsync("#login-name", user);
        await page.FillAsync("#login-password", "pw-" + user);
        await page.ClickAsync("#login-button");
        var chat = new ChatPage(page, user);
        await chat.ShouldBeConnectedAsync();
        return chat;
    }

    public async Task ShouldBeConnectedAsync(string? transport = null)
    {
        await Expect(Page.Locator("#app")).ToHaveAttributeAsync("data-state", "connected");
        if (transport is not null) await Expect(Page.Locator("#app")).ToHaveAttributeAsync("data-transport", transport);
    }

    public Task<string?> TransportAsync() => Page.Locator("#app").GetAttributeAsync("data-transport");

    public async Task OpenAsync(string conversation)
    {
        var item = Page.Locator($"#convs li[data-conv='{conversation}']");
        if (await item.CountAsync() == 0)
        {
            await Page.FillAsync("#dm-name", conversation);
            await Page.ClickAsync("#dm-button");
        }
        else await item.ClickAsync();
        await Expect(Page.Locator("#conv-title")).ToHaveTextAsync(conversation);
    }

    /// <summary>Opens the conversation once a message made it appear in the list.</summary>
    public async Task OpenWhenListedAsync(string conversation)
    {
        var item = Page.Locator($"#convs li[data-conv='{conversation}']");
        await Expect(item).ToHaveCountAsync(1);
        await item.ClickAsync();
        await Expect(Page.Locator("#conv-title")).ToHaveTextAsync(conversation);
    }

    public async Task SendAsync(string body)
    {
        await Page.FillAsync("#body", body);
        await Page.PressAsync("#body", "Enter");
    }

    /// <summary>The bodies shown in the open conversation, with a mid (stored, not pending), in order.</summary>
    public ILocator Bodies => Page.Locator("#messages .msg[data-mid] .body");

    public async Task ShouldShowAsync(params string[] bodies) => await Expect(Bodies).ToHaveTextAsync(bodies);

    public ILocator MarkOf(string body) => Page.Locator("#messages .msg.mine", new() { HasText = body }).Locator(".mark");
}
