using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CometChat.Tests.Infrastructure;
using CometChat.Tests.Scaleout;

namespace CometChat.Tests.Hammer;

/// <summary>
/// The membership race hammer: users join and leave rooms, send to their rooms and to each other, all at
/// once and spread over every node, while each user's feed is followed by readers on every transport (long
/// poll, the four stream formats, SSE, WebSocket, TCP), reading on another node than the one written to.
/// The oracle is built from the acknowledgements alone: a user's feed is exactly the room messages whose mid
/// lies inside one of their membership intervals (from their join's mid to their leave's), plus the direct
/// messages they sent or received, in mid order, each once.
/// </summary>
internal sealed class MembershipHammer(ChatServer[] nodes, int users = 14, int rooms = 3, int opsPerUser = 24, int seed = 1)
{
    public static readonly string[] Transports = ["poll", .. FeedReader.All];

    private readonly ConcurrentBag<Acked> _acked = [];
    private readonly ConcurrentDictionary<(string User, string Room), List<(long From, long? To)>> _intervals = new();
    private readonly List<Reader> _readers = [];
    private TestUser[] _users = [];

    /// <summary>A stored message as its sender's answer told it.</summary>
    private sealed record Acked(long Mid, string From, string To);

    public IReadOnlyList<TestUser> Users => _users;

    public async Task StartReadersAsync()
    {
        _users = new TestUser[users];
        for (var i = 0; i < users; i++) _users[i] = await nodes[i % nodes.Length].LoginAsync("h" + i);
        for (var i = 0; i < users; i++)
            foreach (var t in new[] { Transports[i % Transports.Length], Transports[(i + 3) % Transports.Length] })
                _readers.Add(Reader.Start(_users[i].On(nodes[(i + 1) % nodes.Length]), t));
    }

    /// <summary>Runs every user's operations concurrently; <paramref name="midway"/> runs once all are half done.</summary>
    public async Task WriteAsync(Func<Task>? midway = null)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await Task.WhenAll(Enumerable.Range(0, users).Select(i => Task.Run(async () =>
        {
            var rng = new Random(seed * 1000 + i);
            var me = _users[i];
            var mine = new HashSet<string>();
            for (var op = 0; op < opsPerUser; op++)
            {
                if (op == opsPerUser / 2)
                {
                    if (Interlocked.Increment(ref arrived) == users)
                    {
                        if (midway is not null) await midway();
                        gate.SetResult();
                    }
                    await gate.Task.WaitAsync(TaskTimeouts.Default);
                }
                var node = nodes[(i + op) % nodes.Length];
                var roll = rng.Next(10);
                var room = "hr" + rng.Next(rooms);
                if (roll < 3 || (roll < 7 && mine.Count == 0))
                {
                    var join = !mine.Contains(room);
                    var answer = await PostAsync(me.On(node), $"api/rooms/{room}/{(join ? "join" : "leave")}");
                    answer.GetProperty("changed").GetBoolean().ShouldBeTrue();
                    var mid = answer.GetProperty("mid").GetInt64();
                    var list = _intervals.GetOrAdd((me.Name, room), _ => []);
                    if (join) { list.Add((mid, null)); mine.Add(room); }
                    else { list[^1] = (list[^1].From, mid); mine.Remove(room); }
                    _acked.Add(new Acked(mid, me.Name, "#" + room));
                }
                else if (roll < 7)
                {
                    var to = "#" + mine.ElementAt(rng.Next(mine.Count));
                    _acked.Add(new Acked((await me.On(node).SendAsync(to, $"{me.Name} in {to} #{op}")).GetProperty("mid").GetInt64(), me.Name, to));
                }
                else
                {
                    var to = "h" + rng.Next(users);
                    _acked.Add(new Acked((await me.On(node).SendAsync(to, $"{me.Name} to {to} #{op}")).GetProperty("mid").GetInt64(), me.Name, to));
                }
            }
        })));
    }

    /// <summary>The oracle's feed of <paramref name="user"/>, in mid order.</summary>
    public long[] Expected(string user) =>
    [
        .. _acked.Where(a => a.To.StartsWith('#')
                ? _intervals.TryGetValue((user, a.To[1..]), out var spans) && spans.Any(s => s.From <= a.Mid && (s.To is null || a.Mid <= s.To))
                : a.From == user || a.To == user)
            .Select(a => a.Mid).OrderBy(m => m),
    ];

    /// <summary>Every reader delivered exactly its user's oracle feed; so does a short poll from 0 on every node.</summary>
    public async Task VerifyAsync()
    {
        var readerFor = _readers.ToLookup(r => r.User.Name);
        foreach (var user in _users)
        {
            var expected = Expected(user.Name);
            foreach (var r in readerFor[user.Name])
            {
                await r.WaitForAsync(expected.Length);
                r.Mids.ShouldBe(expected, $"{user.Name} over {r.Transport}");
            }
            foreach (var node in nodes)
                (await ShortPollAllAsync(user.On(node))).ToArray().ShouldBe(expected, $"{user.Name} short poll");
        }
    }

    public async Task StopReadersAsync()
    {
        await Task.WhenAll(_readers.Select(r => r.DisposeAsync().AsTask()));
    }

    private static async Task<List<long>> ShortPollAllAsync(TestUser user)
    {
        var all = new List<long>();
        for (long cursor = 0; ;)
        {
            var page = await user.GetAsync($"api/messages?since={cursor}&limit=7");
            all.AddRange(TestUser.Mids(page));
            cursor = page.GetProperty("cursor").GetInt64();
            if (!page.GetProperty("more").GetBoolean()) return all;
        }
    }

    private static async Task<JsonElement> PostAsync(TestUser user, string url)
    {
        using var res = await user.Server.Http.SendAsync(user.Request(HttpMethod.Post, url));
        return await ChatServer.ReadJsonAsync(res, HttpStatusCode.OK);
    }

    /// <summary>Follows one user's feed on one transport from cursor 0, reconnecting from its cursor whenever the server ends it.</summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<long> _mids = [];
        private Task _loop = Task.CompletedTask;

        private Reader(TestUser user, string transport)
        {
            User = user;
            Transport = transport;
        }

        public TestUser User { get; }
        public string Transport { get; }
        public long[] Mids { get { lock (_mids) return [.. _mids]; } }

        public static Reader Start(TestUser user, string transport)
        {
            var r = new Reader(user, transport);
            r._loop = Task.Run(r.RunAsync);
            return r;
        }

        public async Task WaitForAsync(int count)
        {
            var until = DateTime.UtcNow + TaskTimeouts.Default;
            while (Mids.Length < count && DateTime.UtcNow < until && !_loop.IsCompleted) await Task.Delay(20);
            if (_loop.IsFaulted) await _loop;
        }

        private void Add(long mid)
        {
            lock (_mids) _mids.Add(mid);
        }

        private async Task RunAsync()
        {
            long cursor = 0;
            var ct = _stop.Token;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    if (Transport == "poll")
                    {
                        var page = await User.GetAsync($"api/poll?since={cursor}&limit=5", ct: ct);
                        foreach (var mid in TestUser.Mids(page)) Add(mid);
                        cursor = page.GetProperty("cursor").GetInt64();
                        continue;
                    }
                    await using var reader = await FeedReader.OpenAsync(User, Transport, cursor);
                    using var end = ct.Register(() => _ = reader.DisposeAsync().AsTask());
                    while (await reader.NextAsync() is { } item)
                    {
                        if (item.Kind != "message") continue;
                        Add(item.Mid!.Value);
                        cursor = item.Mid!.Value;
                    }
                }
                catch (Exception) when (ct.IsCancellationRequested) { return; }
                catch (Exception e) when (e is HttpRequestException or IOException or System.Net.WebSockets.WebSocketException
                    or System.Net.Sockets.SocketException or ObjectDisposedException or TaskCanceledException or ShouldAssertException or TimeoutException)
                {
                    // The node restarted or is restarting (or a test reader's idle timeout passed): resume from the cursor.
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try { await _loop.WaitAsync(TaskTimeouts.Default); }
            catch (Exception) { } // VerifyAsync reports a reader that failed; stopping never hides that
            _stop.Dispose();
        }
    }
}
