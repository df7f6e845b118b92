namespace CometChat.Core;

/// <summary>
/// At start, before the server listens: brings names stored before the name profile (see <see cref="Names"/>)
/// under it. A name the profile changes (<c>Alice</c>, a decomposed <c>Jörg</c>, <c>ann</c> with an invisible
/// mark) is renamed everywhere to its enforced form, or to that form plus <c>-2</c>, <c>-3</c>... when the form
/// is taken or reserved, so no message is lost and no two accounts merge; each rename is logged. Every name
/// gets its UTS #39 skeleton; older look-alikes (which new names can no longer be) are kept and reported.
/// </summary>
internal sealed partial class NameMigration(MessageWriter writer, IUserStore users, ReservedNames reserved, ILogger<NameMigration> log) : IHostedService
{
    /// <summary>The profile and data version; when it changes, every stored skeleton is computed again.</summary>
    public const string Profile = "precis-usernamecasemapped-1/uts39-15.0.0";
    private const int Batch = 500;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (users.GetOrAddSetting("names.profile", Profile) != Profile)
            await writer.RunAsync(tx =>
            {
                tx.Names.ClearSkeletons(NameKind.User);
                tx.Names.ClearSkeletons(NameKind.Room);
                tx.Users.SetSetting("names.profile", Profile);
                return true;
            });
        foreach (var kind in new[] { NameKind.User, NameKind.Room })
        {
            List<(string From, string To)> renamed;
            do
            {
                renamed = [];
                var count = await writer.RunAsync(tx => MigrateBatch(tx, kind, renamed));
                foreach (var (from, to) in renamed) LogRenamed(log, kind, from, to);
                if (count < Batch) break;
            }
            while (true);
            await ReportAsync(kind);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private int MigrateBatch(IWrites tx, NameKind kind, List<(string, string)> renamed)
    {
        var batch = tx.Names.NamesWithoutSkeleton(kind, Batch);
        foreach (var stored in batch)
        {
            var name = stored;
            if (!Names.TryNormalize(stored, out var enforced) || enforced != stored)
            {
                name = Free(tx, kind, Names.Closest(stored, kind == NameKind.User ? "user" : "room"));
                tx.Names.Rename(kind, stored, name);
                renamed.Add((stored, name));
            }
            tx.Names.SetSkeleton(kind, name, Names.Skeleton(name));
        }
        return batch.Count;
    }

    private string Free(IWrites tx, NameKind kind, string candidate)
    {
        var name = candidate;
        for (var i = 2; Taken(tx, kind, name); i++)
        {
            var suffix = "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var runes = candidate.EnumerateRunes().Take(Names.MaxLength - suffix.Length);
            name = string.Concat(runes.Select(r => r.ToString())) + suffix;
        }
        return name;
    }

    private bool Taken(IWrites tx, NameKind kind, string name) =>
        kind == NameKind.User ? tx.Users.UserExists(name) || reserved.IsReserved(name) || reserved.LookAlike(Names.Skeleton(name)) is not null : tx.Rooms.RoomExists(name);

    private async Task ReportAsync(NameKind kind)
    {
        var (collisions, likeReserved) = await writer.RunAsync(tx =>
        {
            var near = new List<(string, string)>();
            if (kind == NameKind.User)
                foreach (var r in reserved.All)
                    foreach (var other in tx.Names.NamesWithSkeleton(kind, Names.Skeleton(r)))
                        if (other != r) near.Add((other, r));
            return (tx.Names.SkeletonCollisions(kind), near);
        });
        foreach (var group in collisions) LogLookAlikes(log, kind, string.Join(", ", group));
        foreach (var (name, r) in likeReserved) LogLooksReserved(log, name, r);
    }

    [LoggerMessage(1, LogLevel.Warning, "Renamed {Kind} '{From}' to '{To}': the name profile (case-folded, NFC, no invisible characters) changes the old name, or its new form was taken; everything it sent and received stays with it")]
    private static partial void LogRenamed(ILogger logger, NameKind kind, string from, string to);

    [LoggerMessage(2, LogLevel.Warning, "{Kind} names {Names} look alike (one UTS #39 skeleton); they were stored before look-alikes were refused and are kept")]
    private static partial void LogLookAlikes(ILogger logger, NameKind kind, string names);

    [LoggerMessage(3, LogLevel.Warning, "User '{Name}' looks like the reserved name '{Reserved}'; it was stored before look-alikes were refused and is kept: check who it is")]
    private static partial void LogLooksReserved(ILogger logger, string name, string reserved);
}
