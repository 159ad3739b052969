using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SupportBot.Core.Conversations;

/// <summary>
/// Per-person rate limits (System.Threading.RateLimiting), in memory: direct messages a minute, and urgent pages to
/// the volunteer channel an hour. Limiters of people gone quiet are dropped by the partitioned limiter itself.
/// </summary>
public sealed class PersonLimits : IDisposable
{
    private readonly PartitionedRateLimiter<Address> _messages;
    private readonly PartitionedRateLimiter<Address> _urgent;

    // People already told to slow down in the current streak, so a flood is answered once, not once a message.
    private readonly ConcurrentDictionary<Address, byte> _told = new();

    public PersonLimits(IOptions<SafeguardOptions> options)
    {
        var o = options.Value;
        _messages = Create(o.DirectMessagesPerMinute, TimeSpan.FromMinutes(1));
        _urgent = Create(o.UrgentAlertsPerHour, TimeSpan.FromHours(1));
    }

    /// <summary>
    /// Whether this person's direct message may go on. When it may not, <paramref name="tellThem"/> is true for the
    /// first refused message of a streak only.
    /// </summary>
    public bool TryMessage(Address person, out bool tellThem)
    {
        using var lease = _messages.AttemptAcquire(person);
        if (lease.IsAcquired)
        {
            _told.TryRemove(person, out _);
            tellThem = false;
            return true;
        }

        if (_told.Count > 10_000)
        {
            // Only a memory of whom we told; forgetting it costs at most one more "slow down".
            _told.Clear();
        }

        tellThem = _told.TryAdd(person, 0);
        return false;
    }

    /// <summary>Whether this person may cause one more urgent page to the volunteer channel now.</summary>
    public bool TryUrgentAlert(Address person)
    {
        using var lease = _urgent.AttemptAcquire(person);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _messages.Dispose();
        _urgent.Dispose();
    }

    private static PartitionedRateLimiter<Address> Create(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<Address, Address>(person => permits <= 0
            ? RateLimitPartition.GetNoLimiter(person)
            : RateLimitPartition.GetFixedWindowLimiter(person, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
}
