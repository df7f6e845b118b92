using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CometChat.Tests.Infrastructure;

namespace CometChat.Tests.Hammer;

/// <summary>
/// kill -9 in the middle of the membership hammer: joins, leaves, room and direct sends in flight, long polls
/// parked. After a restart over the same file nothing acknowledged is lost, and every reader, resuming from its
/// cursor, ends with exactly its feed: the direct messages it sent or got, and the room messages inside its
/// membership intervals as the rooms' own join and leave messages record them (a join or leave cut off by the
/// kill may or may not have committed; the room history says which).
/// </summary>
public sealed class KillMidHammerTests
{
    private const int Users = 8;
    private static readonly string[] Rooms = ["k0", "k1"];

    [Fact]
    public async Task NothingAcknowledgedIsLostAndEveryFeedStaysExact()
    {
        using var dir = new TempDirectory();
        HttpClient? current = null;
        var acked = new List<(long Mid, string From, string To, string Kind)>();
        var ambiguous = new List<(int User, string To, string Id)>();
        var tokens = new string[Users + 1];
        var readers = new List<(int User, List<long> Mids, Task Loop)>();
        using var stop = new CancellationTokenSource();

        await using (var process = await ServerProcess.StartAsync(dir.Path))
        {
            current = process.Http;
            for (var i = 0; i <= Users; i++)
            {
                using var login = await process.Http.PostAsync("api/login", ChatServer.Form(("name", Name(i)), ("password", "pw")));
                tokens[i] = (await ChatServer.ReadJsonAsync(login, HttpStatusCode.OK)).GetProperty("token").GetString()!;
            }
            // The observer (user 8) is in every room from the start and never leaves: its history is the rooms' record.
            foreach (var room in Rooms) await CallAsync(process.Http, tokens[Users], HttpMethod.Post, $"api/rooms/{room}/join");
            for (var i = 0; i <= Users; i++)
            {
                var mids = new List<long>();
                var token = tokens[i];
                readers.Add((i, mids, Task.Run(() => PollAsync(() => current!, token, mids, stop.Token))));
            }

            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var actors = Enumerable.Range(0, Users).Select(i => Task.Run(async () =>
            {
                var rng = new Random(i);
                var mine = new HashSet<string>();
                for (var op = 0; !killed.Task.IsCompleted; op++)
                {
                    var room = Rooms[rng.Next(Rooms.Length)];
                    var roll = rng.Next(10);
                    var (method, url, to, id) = roll < 3 || (roll < 7 && mine.Count == 0)
                        ? (HttpMethod.Post, $"api/rooms/{room}/{(mine.Contains(room) ? "leave" : "join")}", "#" + room, (string?)null)
                        : roll < 7 ? (HttpMethod.Post, "api/messages", "#" + mine.First(), $"u{i}-{op}")
                        : (HttpMethod.Post, "api/messages", Name(rng.Next(Users)), $"u{i}-{op}");
                    JsonElement answer;
                    try
                    {
                        answer = await CallAsync(process.Http, tokens[i], method, url, id is null ? null : ChatServer.Form(("to", to), ("body", id), ("id", id)));
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        if (id is not null) lock (ambiguous) ambiguous.Add((i, to, id));
                        return; // cut off by the kill: this user's last operation may or may not have committed
                    }
                    if (id is null)
                    {
                        if (!mine.Remove(room)) mine.Add(room);
                    }
                    lock (acked) acked.Add((answer.GetProperty("mid").GetInt64(), Name(i), to, id is null ? "membership" : "text"));
                }
            })).ToList();

            // Kill once a good part of the hammer is acknowledged, with everything still in flight.
            var until = DateTime.UtcNow + TaskTimeouts.Default;
            while (DateTime.UtcNow < until) { lock (acked) if (acked.Count >= 150) break; await Task.Delay(5); }
            await process.KillAsync();
            killed.SetResult();
            await Task.WhenAll(actors).DefaultTimeout();
        }

        await using var server = await ChatServer.StartAsync(dir: dir);
        current = server.Http;
        // A send cut off by the kill, retried with its id: the original mid if it had committed, else stored now.
        foreach (var (user, to, id) in ambiguous)
        {
            var answer = await CallAsync(server.Http, tokens[user], HttpMethod.Post, "api/messages", ChatServer.Form(("to", to), ("body", id), ("id", id)));
            acked.Add((answer.GetProperty("mid").GetInt64(), Name(user), to, "text"));
        }

        // The rooms' record, from the observer's history: every acknowledged room message and membership change is in it.
        var history = new List<(long Mid, string From, string Room, string Kind)>();
        foreach (var room in Rooms)
        {
            for (long? before = null; ;)
            {
                var page = await CallAsync(server.Http, tokens[Users], HttpMethod.Get, $"api/history?with=%23{room}&limit=100" + (before is null ? "" : $"&before={before}"));
                history.AddRange(page.GetProperty("messages").EnumerateArray().Select(m =>
                    (m.GetProperty("mid").GetInt64(), m.GetProperty("from").GetString()!, room, m.GetProperty("kind").GetString()!)));
                if (!page.GetProperty("more").GetBoolean()) break;
                before = page.GetProperty("before").GetInt64();
            }
        }
        var recorded = history.Select(h => h.Mid).ToHashSet();
        foreach (var a in acked.Where(a => a.To.StartsWith('#'))) recorded.ShouldContain(a.Mid, $"acknowledged {a} lost");

        for (var i = 0; i <= Users; i++)
        {
            var me = Name(i);
            var intervals = history.Where(h => h.From == me && h.Kind is "join" or "leave").OrderBy(h => h.Mid)
                .GroupBy(h => h.Room).ToDictionary(g => g.Key, g => g.ToList());
            bool Inside(long mid, string room) => intervals.TryGetValue(room, out var changes)
                && changes.Where(c => c.Mid <= mid).LastOrDefault() is { Kind: var k, Mid: var at } && (k == "join" || at == mid);
            var expected = history.Where(h => Inside(h.Mid, h.Room)).Select(h => h.Mid)
                .Concat(acked.Where(a => !a.To.StartsWith('#') && (a.From == me || a.To == me)).Select(a => a.Mid))
                .Distinct().OrderBy(m => m).ToArray();
            var reader = readers[i];
            var waitUntil = DateTime.UtcNow + TaskTimeouts.Default;
            while (DateTime.UtcNow < waitUntil) { lock (reader.Mids) if (reader.Mids.Count >= expected.Length) break; await Task.Delay(20); }
            lock (reader.Mids) reader.Mids.ToArray().ShouldBe(expected, me);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers.Select(r => r.Loop)).DefaultTimeout();
    }

    private static string Name(int i) => i == Users ? "observer" : "k" + i;

    /// <summary>Long polls from cursor 0 on whichever server is current, resuming from its cursor after failures.</summary>
    private static async Task PollAsync(Func<HttpClient> http, string token, List<long> mids, CancellationToken ct)
    {
        long cursor = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var page = await CallAsync(http(), token, HttpMethod.Get, $"api/poll?since={cursor}&limit=7", ct: ct);
                lock (mids) mids.AddRange(TestUser.Mids(page));
                cursor = page.GetProperty("cursor").GetInt64();
            }
            catch (Exception) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpRequestException or IOException or ObjectDisposedException or TaskCanceledException or ShouldAssertException)
            {
                await Task.Delay(50, CancellationToken.None); // killed, or not yet restarted
            }
        }
    }

    private static async Task<JsonElement> CallAsync(HttpClient http, string token, HttpMethod method, string url, HttpContent? body = null, CancellationToken ct = default)
    {
        using var req = new HttpRequestMessage(method, url) { Content = body };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var res = await http.SendAsync(req, ct);
        return await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
    }
}
