using CometChat.LoadGen;

// dotnet run -c Release --project src/CometChat.LoadGen -- <w1|w2|w3|send|rooms|seed-search|search> [--server URL] [--key BASE64] [--pid N] [options]
Options options;
try { options = Options.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("usage: <w1|w2|w3|send|rooms|seed-search|search> [--server http://127.0.0.1:5000] [--key <Chat:Auth:Key>] [--pid <server pid>]");
    Console.Error.WriteLine("  w1   --clients 10000 --seconds 15        parked long polls: server memory per poll");
    Console.Error.WriteLine("  w2   --subscribers 5000 --rounds 10 [--transport poll|sse|ws]   one room message to all: time until the last has it");
    Console.Error.WriteLine("  w3   --pairs 200 --seconds 15 [--transport poll|sse|ws]         ping-pong: deliveries/s, latency, server CPU per delivery");
    Console.Error.WriteLine("  send --clients 50 --seconds 10          durable sends/s (each acknowledged after its commit)");
    Console.Error.WriteLine("  rooms --rooms 500 --backlog 10 --polls 500 --limit 100   one reader in many rooms: short poll latency");
    Console.Error.WriteLine("  seed-search --database search-1m.db --messages 1000000   write a store to search (no server)");
    Console.Error.WriteLine("  search --queries 300 --limit 20         search latency as the user 'reader' of a seed-search store");
    return 2;
}

if (options.Workload == "seed-search")
{
    Console.WriteLine(SearchStore.Seed(options));
    return 0;
}
var files = FileLimit.Raise();
using var api = new ChatApi(options.Server, options.Key);
var probe = new ServerProbe(options.Pid);
if (!probe.Available) Console.Error.WriteLine("note: no --pid of a local server given; server CPU and memory figures are omitted.");
var workloads = new Workloads(options, api, probe);
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(options.Int("max-minutes", 10)));
try
{
    var run = options.Workload switch
    {
        "w1" => workloads.ParkAsync(),
        "w2" => workloads.FanOutAsync(),
        "w3" => workloads.PingPongAsync(),
        "send" => workloads.SendAsync(),
        "rooms" => workloads.RoomsAsync(),
        "search" => SearchWorkload.RunAsync(options, api),
        _ => throw new ArgumentException($"unknown workload '{options.Workload}'"),
    };
    // The tool stops by itself: a run that hangs past --max-minutes is reported, not waited on forever.
    var report = await run.WaitAsync(deadline.Token);
    Console.WriteLine(report.Add("nofile", files));
    return 0;
}
catch (Exception e) when (e is TimeoutException or HttpRequestException or ArgumentException or OperationCanceledException)
{
    Console.Error.WriteLine($"workload={options.Workload} error=\"{e.Message}\"");
    return 1;
}
