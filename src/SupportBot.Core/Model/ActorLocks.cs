namespace SupportBot.Core;

/// <summary>
/// Lets one person's events through one at a time. Platforms deliver concurrently (Slack hands over every
/// envelope at once), and two quick messages from a survivor must not start two conversations or arrive
/// swapped. A fixed set of stripes keeps memory flat; two people who share a stripe only wait for each other.
/// </summary>
internal sealed class ActorLocks
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<Releaser> EnterAsync(Address actor, CancellationToken ct)
    {
        var stripe = _stripes[(int)((uint)actor.GetHashCode() % (uint)_stripes.Length)];
        await stripe.WaitAsync(ct).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    public readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
