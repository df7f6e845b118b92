namespace CometChat.Core;

/// <summary>
/// Refuses a new user or room name that looks like an existing or reserved one (UTS #39 skeletons, see
/// <see cref="Names.Skeleton"/>): <c>аnn</c> in Cyrillic beside the agent <c>ann</c>, <c>b0b</c> beside <c>bob</c>.
/// </summary>
internal static class LookAlikes
{
    /// <summary>
    /// Inside the writer, before a user or room named <paramref name="name"/> is created: a 403 naming
    /// <paramref name="param"/> when it looks like an existing name of its kind or (for users) a reserved name;
    /// else the skeleton to store with it. A reserved name itself is always allowed (the operator's wins).
    /// </summary>
    public static string Check(IWrites tx, NameKind kind, string name, string param, ReservedNames? reserved = null)
    {
        var skeleton = Names.Skeleton(name);
        if (reserved is not null && reserved.IsReserved(name)) return skeleton;
        var like = reserved?.LookAlike(skeleton) ?? tx.Names.NamesWithSkeleton(kind, skeleton).FirstOrDefault(n => n != name);
        if (like is not null)
            throw new ChatException(ChatError.Forbidden(
                $"'{param}': '{name}' looks too much like the {(reserved?.LookAlike(skeleton) is not null ? "reserved" : "existing")} name '{like}'; choose another."));
        return skeleton;
    }
}
