using System.Net;
using System.Net.WebSockets;
using CometChat.Core;
using CometChat.Tests.Features;
using CometChat.Tests.Im;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Security;

/// <summary>Issue 11 hole 11 on both stores: logout, log out everywhere, password change, account deletion, retention.</summary>
public class SessionEndTests : IAsyncLifetime
{
    protected virtual Dictionary<string, string?> Backend => [];

    private ChatServer _server = null!;

    public async Task InitializeAsync() => _server = await ChatServer.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Support:Agents:0"] = "ann",
        ["Chat:Retention:Days"] = "1",
    }.With(Backend));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var res = await _server.Http.GetAsync("api/me?token=" + token);
        return res.StatusCode;
    }

    [Fact]
    public async Task LogoutEndsThatTokenAndWhatItOpenedAndSurvivesARestart()
    {
        var first = await _server.LoginAsync("alice", "pw");
        var second = await _server.LoginAsync("alice", "pw");
        var parked = first.RawGetAsync($"api/poll?since={first.Cursor}&timeout=60");
        while (_server.Get<ChatStats>().ParkedPolls < 1) await Task.Delay(5);

        var answer = await first.PostAsync("api/logout");
        (answer.GetProperty("ok").GetBoolean(), answer.Str("revoked")).ShouldBe((true, "token"));
        // The poll it had parked is cut, not left reading alice's feed.
        await Should.ThrowAsync<HttpRequestException>(parked.DefaultTimeout());
        (await first.GetAsync("api/me", HttpStatusCode.Unauthorized)).Detail().ShouldContain("revoked");
        (await MeAsync(second.Token)).ShouldBe(HttpStatusCode.OK); // only that token

        await _server.RestartAsync();
        (await MeAsync(first.Token)).ShouldBe(HttpStatusCode.Unauthorized);
        (await MeAsync(second.Token)).ShouldBe(HttpStatusCode.OK);

        // The JSONP twin.
        (await second.JsonpAsync("api/logout")).GetProperty("ok").GetBoolean().ShouldBeTrue();
        (await MeAsync(second.Token)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task LogOutEverywhereEndsEveryTokenSoFarAndOpenSocketsClose()
    {
        var phone = await _server.LoginAsync("alice", "pw");
        var laptop = await _server.LoginAsync("alice", "pw");
        var minted = await _server.MintedUserAsync("alice");
        _server.Time.Advance(TimeSpan.FromSeconds(1)); // a site's minted token says its second only
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{_server.BaseUri.Port}/ws?token={laptop.Token}"), CancellationToken.None).DefaultTimeout();

        (await phone.PostAsync("api/logout", ("all", "true"))).Str("revoked").ShouldBe("all");
        foreach (var t in new[] { phone.Token, laptop.Token, minted.Token }) (await MeAsync(t)).ShouldBe(HttpStatusCode.Unauthorized);
        // The WebSocket the laptop had open ends.
        var buffer = new byte[4096];
        await Should.ThrowAsync<WebSocketException>(async () =>
        {
            while (true) if ((await ws.ReceiveAsync(buffer, CancellationToken.None).DefaultTimeout()).MessageType == WebSocketMessageType.Close) return;
        });
        // Signing in again works, at once; a site mints again from the next second on.
        (await MeAsync((await _server.LoginAsync("alice", "pw")).Token)).ShouldBe(HttpStatusCode.OK);
        (await MeAsync(_server.MintToken("alice", TimeSpan.FromHours(1)))).ShouldBe(HttpStatusCode.Unauthorized);
        _server.Time.Advance(TimeSpan.FromSeconds(1));
        (await MeAsync(_server.MintToken("alice", TimeSpan.FromHours(1)))).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task APasswordChangeNeedsTheOldOneEndsOtherTokensAndAnswersAFreshOne()
    {
        var alice = await _server.LoginAsync("alice", "old-pw");
        var other = await _server.LoginAsync("alice", "old-pw");
        (await alice.PostAsync("api/password", HttpStatusCode.Unauthorized, ("password", "wrong"), ("newPassword", "new-pw"))).Detail().ShouldContain("'password'");
        (await alice.PostAsync("api/password", HttpStatusCode.BadRequest, ("password", "old-pw"))).Detail().ShouldContain("'newPassword'");

        var changed = await alice.PostAsync("api/password", ("password", "old-pw"), ("newPassword", "new-pw"));
        changed.Str("user").ShouldBe("alice");
        (await MeAsync(changed.Str("token"))).ShouldBe(HttpStatusCode.OK); // issued in the same millisecond as the revocation, and valid
        (await MeAsync(alice.Token)).ShouldBe(HttpStatusCode.Unauthorized);
        (await MeAsync(other.Token)).ShouldBe(HttpStatusCode.Unauthorized);
        using (var old = await _server.Http.PostAsync("api/login", ChatServer.Form(("name", "alice"), ("password", "old-pw")))) old.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _server.LoginAsync("alice", "new-pw")).Name.ShouldBe("alice");

        // JSONP twin; agents' and sites' accounts have no password to change here.
        var fresh = new TestUser(_server, "alice", changed.Str("token"), 0);
        (await fresh.JsonpAsync("api/password?password=new-pw&newPassword=newer")).Str("user").ShouldBe("alice");
        var ann = await _server.MintedUserAsync("ann");
        (await ann.PostAsync("api/password", HttpStatusCode.Forbidden, ("password", "x"), ("newPassword", "y"))).Detail().ShouldContain("reserved");
        var shopper = await _server.MintedUserAsync("shopper");
        (await shopper.PostAsync("api/password", HttpStatusCode.Forbidden, ("password", "x"), ("newPassword", "y"))).Detail().ShouldContain("no password");
    }

    [Fact]
    public async Task DeletingAnAccountErasesWhatItSentKeepsCursorsAndFreesNothing()
    {
        var alice = await _server.LoginAsync("alice", "pw");
        var bob = await _server.LoginAsync("bob", "bobs");
        await alice.PostAsync("api/rooms/lobby/join");
        await bob.PostAsync("api/rooms/lobby/join");
        var hello = await bob.SendAsync("alice", "my address is 1 Main St");
        var reply = await alice.SendAsync("bob", "thanks");
        var inRoom = await bob.SendAsync("#lobby", "room secret");
        var mids = (await alice.FeedAsync(alice.Cursor)).Select(m => m.Num("mid")).ToArray();

        (await bob.PostAsync("api/account/delete", HttpStatusCode.BadRequest)).Detail().ShouldContain("'password'");
        (await bob.PostAsync("api/account/delete", HttpStatusCode.Unauthorized, ("password", "wrong"))).Detail().ShouldContain("'password'");
        var deleted = await bob.PostAsync("api/account/delete", ("password", "bobs"));
        (deleted.GetProperty("deleted").GetBoolean(), deleted.Str("user"), deleted.Num("erased")).ShouldBe((true, "bob", 2));

        // Every mid is still where it was, so cursors hold; bob's bodies are gone, alice's stay; bob left the room.
        var feed = await alice.FeedAsync(alice.Cursor);
        feed.Take(mids.Length).Select(m => m.Num("mid")).ShouldBe(mids);
        var erased = feed.Single(m => m.Num("mid") == hello.Num("mid"));
        (erased.Str("body"), erased.GetProperty("erased").GetBoolean(), erased.Str("from")).ShouldBe(("", true, "bob"));
        feed.Single(m => m.Num("mid") == reply.Num("mid")).Str("body").ShouldBe("thanks");
        feed.Single(m => m.Num("mid") == inRoom.Num("mid")).Str("body").ShouldBe("");
        var left = feed.Last();
        (left.Str("kind"), left.Str("from"), left.Str("to")).ShouldBe(("leave", "bob", "#lobby"));
        var history = (await alice.GetAsync("api/history?with=bob")).GetProperty("messages").EnumerateArray().ToArray();
        history.Select(m => (m.Str("body"), m.TryGetProperty("erased", out _))).ShouldBe([("", true), ("thanks", false)]);
        (await alice.FeedAsync(mids[^1])).Length.ShouldBe(1); // reading on from an old cursor: just the leave

        // The account is gone for good: its tokens end, its name cannot be claimed again.
        (await MeAsync(bob.Token)).ShouldBe(HttpStatusCode.Unauthorized);
        (await MeAsync(_server.MintToken("bob", TimeSpan.FromHours(1)))).ShouldBe(HttpStatusCode.Unauthorized);
        using (var claim = await _server.Http.PostAsync("api/login", ChatServer.Form(("name", "bob"), ("password", "bobs")))) claim.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await _server.RestartAsync();
        (await alice.FeedAsync(alice.Cursor)).Single(m => m.Num("mid") == hello.Num("mid")).Str("body").ShouldBe("");
    }

    [Fact]
    public async Task DeletionClosesTheCustomersSupportSessionAndHasAJsonpTwin()
    {
        var ann = await _server.MintedUserAsync("ann");
        await ann.GetAsync("api/messages");
        var kim = await _server.MintedUserAsync("kim"); // a shop's customer: no password to give
        var sid = (await kim.SendAsync("@support", "card 4111 1111")).Num("sid");
        var gone = await kim.JsonpAsync("api/account/delete");
        gone.GetProperty("deleted").GetBoolean().ShouldBeTrue();
        var annSees = await ann.FeedAsync(ann.Cursor);
        annSees.Single(m => m.Str("kind") == "text").Str("body").ShouldBe("");
        annSees.Last().Str("body").ShouldBe("closed by kim");
        annSees.Last().Num("sid").ShouldBe(sid);
        (await ann.PostAsync("api/account/delete", HttpStatusCode.Forbidden)).Detail().ShouldContain("reserved");
    }

    [Fact]
    public async Task RetentionErasesOlderBodiesWithoutBreakingCursors()
    {
        var alice = await _server.MintedUserAsync("alice", TimeSpan.FromDays(3)); // outlives the two days below
        var bob = await _server.MintedUserAsync("bob", TimeSpan.FromDays(3));
        var old1 = await alice.SendAsync("bob", "old one");
        var old2 = await bob.SendAsync("alice", "old two");
        _server.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var recent = await alice.SendAsync("bob", "recent");
        var cursor = old1.Num("mid"); // a reader who had seen the first message only

        // The hourly sweep may have run as the clock moved; one more is harmless (a body is erased once).
        await _server.Get<Retention>().SweepAsync(CancellationToken.None);
        var page = await bob.GetAsync($"api/messages?since={cursor}");
        page.GetProperty("messages").EnumerateArray().Select(m => (m.Num("mid"), m.Str("body"))).ShouldBe(
            [(old2.Num("mid"), ""), (recent.Num("mid"), "recent")]);
        page.Num("cursor").ShouldBe(recent.Num("mid"));
        var history = (await bob.GetAsync("api/history?with=alice&limit=2")).GetProperty("messages").EnumerateArray().ToArray();
        history.Select(m => m.Str("body")).ShouldBe(["", "recent"]);
        (await _server.Get<Retention>().SweepAsync(CancellationToken.None)).ShouldBe(0); // nothing left to erase
    }

    [Fact]
    public async Task DeletionAndRetentionEraseAsARecallDoesEditsFilesAndSearchEntries()
    {
        var alice = await _server.MintedUserAsync("alice", TimeSpan.FromDays(3));
        var bob = await _server.LoginAsync("bob", "bobs");
        var text = await bob.SendAsync("alice", "plain words");
        await bob.EditAsync(text.Num("mid"), "edited vaultcode words");
        var fileId = (await bob.UploadAsync(FileTests.Png, "dot.png")).GetProperty("file").Str("id");
        var file = await bob.SendFileAsync("alice", fileId, "vaultcode picture");
        await bob.UploadAsync(FileTests.Png, "never-sent.png");
        (await alice.SearchAsync("vaultcode")).Length.ShouldBe(2);
        using (var res = await alice.RawGetAsync("api/files/" + fileId)) res.StatusCode.ShouldBe(HttpStatusCode.OK);

        (await bob.PostAsync("api/account/delete", ("password", "bobs"))).Num("erased").ShouldBe(2);
        (await alice.SearchAsync("vaultcode")).ShouldBeEmpty();
        using (var res = await alice.RawGetAsync("api/files/" + fileId)) res.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _server.StoreScalarAsync("SELECT count(*) FROM files WHERE owner = 'bob'")).ShouldBe(0L); // the unsent upload too
        var feed = await alice.FeedAsync(0);
        feed.Single(m => m.Str("kind") == "edit").Str("body").ShouldBe(""); // the edit's body went with its original
        var erasedFile = feed.Single(m => m.Num("mid") == file.Num("mid"));
        (erasedFile.Str("body"), erasedFile.GetProperty("erased").GetBoolean(), erasedFile.TryGetProperty("file", out _)).ShouldBe(("", true, false));

        // Retention erases a file message the same way.
        var carol = await _server.MintedUserAsync("carol", TimeSpan.FromDays(3));
        var oldId = (await alice.UploadAsync(FileTests.Png, "old.png")).GetProperty("file").Str("id");
        await alice.SendFileAsync("carol", oldId, "old picture");
        await alice.UploadAsync(FileTests.Png, "old-never-sent.png");
        _server.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await _server.Get<Retention>().SweepAsync(CancellationToken.None);
        using (var res = await carol.RawGetAsync("api/files/" + oldId)) res.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await carol.SearchAsync("picture")).ShouldBeEmpty();
        (await _server.StoreScalarAsync("SELECT count(*) FROM files")).ShouldBe(0L);
    }
}
