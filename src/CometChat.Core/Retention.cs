using Microsoft.Extensions.Options;

namespace CometChat.Core;

/// <summary>
/// Chat:Retention:Days (0, the default: keep everything): every hour, and once at start, erases the bodies (and files,
/// edits and search entries) of messages sent longer ago than that, the way a recall and account deletion erase them
/// (<see cref="MessageErasure"/>): rows, mids and feed entries stay, so cursors and history paging are unaffected,
/// and each erased message reads <c>"body":"","erased":true</c>. Files uploaded that long ago and never sent are
/// deleted. Works in batches, so the writer is never held for long. Also forgets token revocations whose tokens
/// have expired since.
/// </summary>
internal sealed partial class Retention(MessageWriter writer, ChatFiles files, IOptions<ChatOptions> options, TimeProvider time, ILogger<Retention> log) : BackgroundService
{
    public const int Batch = 1000;
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);
    private readonly int _days = options.Value.Retention.Days;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        try
        {
            do
            {
                try { await SweepAsync(stoppingToken); }
                catch (Exception e) when (e is ChatException or StoreUnavailableException) { LogSweepFailed(log, e); }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>One sweep; answers how many message bodies it erased.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await writer.RunAsync(tx =>
        {
            tx.Users.PurgeRevokedTokens(now);
            return true;
        });
        if (_days == 0) return 0;
        var cutoff = now - _days * 86_400_000L;
        foreach (var file in await writer.RunAsync(tx => tx.Files.EraseUnsent(null, cutoff))) files.DeleteFromFolder(file);
        var total = 0;
        int erased;
        do
        {
            (erased, var erasedFiles) = await writer.RunAsync(tx => tx.Messages.EraseMessages(new MessageErasure(SentBefore: cutoff, Limit: Batch), now));
            foreach (var file in erasedFiles) files.DeleteFromFolder(file); // after the commit, as a recall does
            total += erased;
        }
        while (erased == Batch && !ct.IsCancellationRequested);
        if (total > 0) LogErased(log, total, _days);
        return total;
    }

    [LoggerMessage(1, LogLevel.Information, "Retention erased {Count} message bodies older than {Days} days")]
    private static partial void LogErased(ILogger logger, int count, int days);

    [LoggerMessage(2, LogLevel.Warning, "A retention sweep failed; the next one retries")]
    private static partial void LogSweepFailed(ILogger logger, Exception e);
}
