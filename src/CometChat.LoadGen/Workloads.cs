using System.Diagnostics;
using System.Globalization;

namespace CometChat.LoadGen;

/// <summary>The workloads of the performance issue, each printing one line of key=value figures.</summary>
internal sealed class Workloads(Options o, ChatApi api, ServerProbe probe)
{
    private readonly string _prefix = o.Get("prefix", "lg" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "x");

    /// <summary>W1: park N long polls and hold them; server memory per parked poll.</summary>
    public async Task<Report> ParkAsync()
    {
        var n = o.Int("clients", 10_000);
        var hold = o.Int("seconds", 15);
        var tokens = await TokensAsync(n);
        var head = await api.HeadAsync(tokens[0]);
        await Task.Delay(2000); // let the server settle after creating users
        var rss0 = probe.RssKiB();
        var cpu0 = probe.CpuSeconds();

        using var cts = new CancellationTokenSource();
        var errors = 0;
        var polls = tokens.Select(t => Task.Run(async () =>
        {
            try { await api.PollAsync(t, head, 60, null, cts.Token); }
            catch (OperationCanceledException) { }
            catch (HttpRequestException) { Interlocked.Increment(ref errors); }
        })).ToList();
        var parkedIn = await WaitForParkedAsync(tokens[0], n, TimeSpan.FromSeconds(120));
        var clock = Stopwatch.StartNew();
        long peak = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(hold))
        {
            peak = Math.Max(peak, probe.RssKiB());
            await Task.Delay(500);
        }
        var stats = await api.StatsAsync(tokens[0]);
        await cts.CancelAsync();
        await Task.WhenAll(polls);
        return new Report().Add("workload", "w1").Add("clients", n).Add("parked", stats.GetProperty("parkedPolls").GetInt64())
            .Add("park_s", parkedIn.TotalSeconds).Add("hold_s", hold).Add("rss_before_kib", rss0).Add("rss_peak_kib", peak)
            .Add("kib_per_poll", probe.Available ? (peak - rss0) / (double)n : double.NaN)
            .Add("server_cpu_s", probe.CpuSeconds() - cpu0).Add("errors", errors);
    }

    /// <summary>
    /// W2: one room message to N parked subscribers (N / --tabs members, each with --tabs connections,
    /// like browser tabs); time until the last has it, per round.
    /// </summary>
    public async Task<Report> FanOutAsync()
    {
        var n = o.Int("subscribers", 5000);
        var tabs = o.Int("tabs", 5);
        var rounds = o.Int("rounds", 10);
        var transport = o.Transport;
        var members = (n + tabs - 1) / tabs;
        var room = o.Get("room", "fanout" + members.ToString(CultureInfo.InvariantCulture));
        var memberTokens = await TokensAsync(members + 1);
        var sender = memberTokens[members];
        var tokens = Enumerable.Range(0, n).Select(i => memberTokens[i % members]).Append(sender).ToArray();
        var joinClock = Stopwatch.StartNew();
        await ForEachAsync(memberTokens, 16, t => api.JoinAsync(t, room));
        var joinSeconds = joinClock.Elapsed.TotalSeconds;
        var head = await api.HeadAsync(sender);

        var received = new int[rounds];
        var done = Enumerable.Range(0, rounds).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var marks = new string[rounds];
        for (var r = 0; r < rounds; r++) marks[r] = "round-" + r.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("n");
        var ready = 0;
        using var cts = new CancellationTokenSource();
        var errors = 0;
        var subs = tokens.Take(n).Select(t => Task.Run(async () =>
        {
            try
            {
                await Subscriber.RunAsync(api, transport, t, head, null, a =>
                {
                    var r = Array.IndexOf(marks, a.Body);
                    if (r >= 0 && Interlocked.Increment(ref received[r]) == n) done[r].TrySetResult();
                    return Task.CompletedTask;
                }, () => Interlocked.Increment(ref ready), cts.Token);
            }
            catch (OperationCanceledException) { }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Net.WebSockets.WebSocketException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                if (!cts.IsCancellationRequested) Interlocked.Increment(ref errors);
            }
        })).ToList();

        var latencies = new List<double>();
        var serverMs = new List<double>();
        var stalls = 0;
        for (var r = 0; r < rounds; r++)
        {
            await WaitForListenersAsync(sender, transport, n, TimeSpan.FromSeconds(120));
            var cpu0 = probe.CpuSeconds();
            var clock = Stopwatch.StartNew();
            await api.SendAsync(sender, "#" + room, marks[r]);
            if (await Task.WhenAny(done[r].Task, Task.Delay(TimeSpan.FromSeconds(30))) != done[r].Task) { stalls++; continue; }
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            // Server CPU over the same window (10 ms resolution): when it is far below the latency, the load tool is the bottleneck.
            serverMs.Add((probe.CpuSeconds() - cpu0) * 1000);
        }
        await cts.CancelAsync();
        await Task.WhenAll(subs);
        return new Report().Add("workload", "w2").Add("transport", transport).Add("subscribers", n).Add("members", members).Add("rounds", rounds)
            .Percentiles("all_received", latencies).Percentiles("server_cpu", serverMs).Add("stalls", stalls).Add("errors", errors).Add("join_s", joinSeconds);
    }

    /// <summary>W3: pairs ping-pong one message each way over their feeds; throughput, latency, server CPU per delivery.</summary>
    public async Task<Report> PingPongAsync()
    {
        var pairs = o.Int("pairs", 200);
        var seconds = o.Int("seconds", 15);
        var transport = o.Transport;
        var tokens = await TokensAsync(pairs * 2);
        var head = await api.HeadAsync(tokens[0]);
        var latencies = new List<double>(1 << 20);
        long deliveries = 0;
        var errors = 0;
        var ready = 0;
        using var cts = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var measuring = false;

        Task Player(int i)
        {
            var me = tokens[i];
            var peer = _prefix + (i ^ 1).ToString(CultureInfo.InvariantCulture);
            var client = "c" + i.ToString(CultureInfo.InvariantCulture);
            return Task.Run(async () =>
            {
                try
                {
                    await Subscriber.RunAsync(api, transport, me, head, client, async a =>
                    {
                        var sentAt = long.Parse(a.Body, CultureInfo.InvariantCulture);
                        if (Volatile.Read(ref measuring))
                        {
                            Interlocked.Increment(ref deliveries);
                            lock (latencies) latencies.Add((clock.ElapsedTicks - sentAt) * 1000.0 / Stopwatch.Frequency);
                        }
                        if (!cts.IsCancellationRequested)
                            await api.SendAsync(me, peer, clock.ElapsedTicks.ToString(CultureInfo.InvariantCulture), client);
                    }, () => Interlocked.Increment(ref ready), cts.Token);
                }
                catch (OperationCanceledException) { }
                catch (Exception e) when (e is HttpRequestException or IOException or System.Net.WebSockets.WebSocketException or System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    if (!cts.IsCancellationRequested) Interlocked.Increment(ref errors);
                }
            });
        }

        var players = Enumerable.Range(0, pairs * 2).Select(Player).ToList();
        await WaitForListenersAsync(tokens[0], transport, pairs * 2, TimeSpan.FromSeconds(60));
        for (var p = 0; p < pairs; p++)
            await api.SendAsync(tokens[2 * p], _prefix + (2 * p + 1).ToString(CultureInfo.InvariantCulture), clock.ElapsedTicks.ToString(CultureInfo.InvariantCulture), "c" + (2 * p).ToString(CultureInfo.InvariantCulture));
        await Task.Delay(1000); // warm-up
        var cpu0 = probe.CpuSeconds();
        var window = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, false);
        var elapsed = window.Elapsed.TotalSeconds;
        var cpu = probe.CpuSeconds() - cpu0;
        var count = Interlocked.Read(ref deliveries);
        await cts.CancelAsync();
        await Task.WhenAll(players);
        List<double> sample;
        lock (latencies) sample = [.. latencies];
        return new Report().Add("workload", "w3").Add("transport", transport).Add("pairs", pairs).Add("seconds", seconds)
            .Add("deliveries", count).Add("deliveries_per_s", count / elapsed).Percentiles("latency", sample)
            .Add("server_cpu_s", cpu).Add("server_cpu_us_per_delivery", count > 0 ? cpu * 1e6 / count : double.NaN).Add("errors", errors);
    }

    /// <summary>
    /// Rooms: one reader in --rooms rooms, each with a backlog of --backlog messages (sent round-robin across the rooms,
    /// so the reader's feed interleaves them); then --polls short polls of --limit from the cursor before the backlog,
    /// one at a time. Latency of a short poll as the reader sees it, and server CPU per poll.
    /// </summary>
    public async Task<Report> RoomsAsync()
    {
        var rooms = o.Int("rooms", 500);
        var backlog = o.Int("backlog", 10);
        var polls = o.Int("polls", 500);
        var limit = o.Int("limit", 100);
        var tokens = await TokensAsync(2);
        var (reader, sender) = (tokens[0], tokens[1]);
        var names = Enumerable.Range(0, rooms).Select(r => _prefix + "r" + r.ToString(CultureInfo.InvariantCulture)).ToArray();
        await ForEachAsync(names, 16, async room => { await api.JoinAsync(reader, room); await api.JoinAsync(sender, room); });
        var since = await api.HeadAsync(reader);
        for (var b = 0; b < backlog; b++) await ForEachAsync(names, 16, room => api.SendAsync(sender, "#" + room, "backlog"));
        var got = 0;
        for (var i = 0; i < 20; i++) got = (await api.ShortPollAsync(reader, since, limit)).Length; // warm-up
        var latencies = new List<double>(polls);
        var cpu0 = probe.CpuSeconds();
        for (var i = 0; i < polls; i++)
        {
            var clock = Stopwatch.StartNew();
            got = (await api.ShortPollAsync(reader, since, limit)).Length;
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        var cpu = probe.CpuSeconds() - cpu0;
        return new Report().Add("workload", "rooms").Add("rooms", rooms).Add("backlog", backlog).Add("limit", limit).Add("polls", polls)
            .Add("answered", got).Percentiles("short_poll", latencies).Add("server_cpu_us_per_poll", cpu * 1e6 / polls);
    }

    /// <summary>Durable sends: every send answered only after its commit; sends per second and latency.</summary>
    public async Task<Report> SendAsync()
    {
        var clients = o.Int("clients", 50);
        var seconds = o.Int("seconds", 10);
        var tokens = await TokensAsync(clients);
        var latencies = new List<double>();
        long sends = 0;
        var errors = 0;
        var cpu0 = probe.CpuSeconds();
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            var peer = _prefix + ((i + 1) % clients).ToString(CultureInfo.InvariantCulture);
            var local = new List<double>();
            while (clock.Elapsed < until)
            {
                var start = clock.ElapsedTicks;
                try { await api.SendAsync(tokens[i], peer, "durable", id: Guid.NewGuid().ToString("n")); }
                catch (HttpRequestException) { Interlocked.Increment(ref errors); continue; }
                local.Add((clock.ElapsedTicks - start) * 1000.0 / Stopwatch.Frequency);
                Interlocked.Increment(ref sends);
            }
            lock (latencies) latencies.AddRange(local);
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = probe.CpuSeconds() - cpu0;
        return new Report().Add("workload", "send").Add("clients", clients).Add("seconds", seconds).Add("sends", sends)
            .Add("sends_per_s", sends / elapsed).Percentiles("ack", latencies)
            .Add("server_cpu_us_per_send", sends > 0 ? cpu * 1e6 / sends : double.NaN).Add("errors", errors);
    }

    private async Task<string[]> TokensAsync(int n)
    {
        var tokens = new string[n];
        await ForEachAsync(Enumerable.Range(0, n).ToArray(), 32, async i => tokens[i] = await api.TokenAsync(_prefix + i.ToString(CultureInfo.InvariantCulture)));
        // First use of a minted token creates the user: do it now, outside any measurement.
        await ForEachAsync(tokens, 64, t => api.HeadAsync(t));
        return tokens;
    }

    private async Task<TimeSpan> WaitForParkedAsync(string token, int n, TimeSpan max)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var parked = (await api.StatsAsync(token)).GetProperty("parkedPolls").GetInt64();
            if (parked >= n) return clock.Elapsed;
            if (clock.Elapsed > max) throw new TimeoutException($"stalled: only {parked} of {n} polls parked after {max.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    private async Task WaitForListenersAsync(string token, string transport, int n, TimeSpan max)
    {
        var key = transport switch { "poll" or "httpclient-poll" => "parkedPolls", "sse" => "openStreams", _ => "sockets" };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var open = (await api.StatsAsync(token)).GetProperty(key).GetInt64();
            if (open >= n) return;
            if (clock.Elapsed > max) throw new TimeoutException($"stalled: only {open} of {n} {key} after {max.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    private static async Task ForEachAsync<T>(IReadOnlyList<T> items, int parallel, Func<T, Task> work)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < items.Count) await work(items[i]);
        }));
    }
}
