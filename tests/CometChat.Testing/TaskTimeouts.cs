namespace CometChat.Tests.Infrastructure;

internal static class TaskTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    /// <summary>Awaits server behaviour with a ceiling, so a hang fails the test instead of blocking CI.</summary>
    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);
}
