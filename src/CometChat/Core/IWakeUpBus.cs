namespace CometChat.Core;

/// <summary>A committed message's wake-up: the feeds that changed, and the sending tab that must not be woken.</summary>
internal readonly record struct WakeUp(IReadOnlyCollection<string> Users, string? Sender, string? SenderClient);

/// <summary>Carries wake-ups and ephemeral events to every node's waiters: in-process now, Redis when scaled out.</summary>
internal interface IWakeUpBus
{
    void Publish(WakeUp wake);
    void PublishEvent(string user, ChatEvent e);
}

internal sealed class LocalWakeUpBus(FeedWaiters waiters) : IWakeUpBus
{
    public void Publish(WakeUp wake)
    {
        foreach (var user in wake.Users)
            waiters.Wake(user, user == wake.Sender ? wake.SenderClient : null);
    }

    public void PublishEvent(string user, ChatEvent e) => waiters.Publish(user, e);
}
