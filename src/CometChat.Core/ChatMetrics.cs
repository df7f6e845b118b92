using System.Diagnostics.Metrics;

namespace CometChat.Core;

/// <summary>The <see cref="ChatStats"/> numbers as a System.Diagnostics.Metrics meter named "CometChat" (dotnet-counters, OpenTelemetry).</summary>
internal sealed class ChatMetrics : IDisposable
{
    public const string MeterName = "CometChat";
    private readonly Meter _meter;

    public ChatMetrics(IMeterFactory meters, ChatStats stats)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableUpDownCounter("cometchat.polls.parked", () => stats.ParkedPolls, description: "Long polls parked now");
        _meter.CreateObservableUpDownCounter("cometchat.streams.open", () => stats.OpenStreams, description: "Streams and SSE connections open now");
        _meter.CreateObservableUpDownCounter("cometchat.sockets.open", () => stats.OpenSockets, description: "WebSocket and TCP connections open now");
        _meter.CreateObservableCounter("cometchat.messages.stored", () => stats.MessagesStored, description: "Messages stored");
        _meter.CreateObservableCounter("cometchat.messages.delivered", () => stats.Deliveries, description: "Messages handed to clients");
        _meter.CreateObservableGauge("cometchat.messages.rate", () => stats.MessagesPerSecond(), "{message}/s", "Messages stored per second (10 s window)");
        _meter.CreateObservableCounter("cometchat.refusals", () => RefusalKinds.All.Select(k => new Measurement<long>(stats.Refusals(k), new KeyValuePair<string, object?>("kind", k.Label()))),
            description: "Requests and connections refused by a limit, by kind");
        _meter.CreateObservableCounter("cometchat.logins", () => new[]
        {
            new Measurement<long>(stats.Logins(succeeded: true), new KeyValuePair<string, object?>("result", "ok")),
            new Measurement<long>(stats.Logins(succeeded: false), new KeyValuePair<string, object?>("result", "wrong_password")),
        }, description: "Password logins, by result");
        _meter.CreateObservableGauge("cometchat.deliveries.rate", () => stats.DeliveriesPerSecond(), "{message}/s", "Deliveries per second (10 s window)");
    }

    public void Dispose() => _meter.Dispose();
}
