using System.Runtime.InteropServices;

namespace CometChat.LoadGen;

/// <summary>Raises this process's open-file limit to its hard maximum: ten thousand sockets need it.</summary>
internal static partial class FileLimit
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);

    public static ulong Raise()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNofile, out var limit) != 0) return 0;
        limit.Current = limit.Max;
        return SetRLimit(RlimitNofile, limit) == 0 ? limit.Current : 0;
    }
}
