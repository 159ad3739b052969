using System.Collections.Concurrent;

namespace SupportBot.Core.Safeguards;

/// <summary>A volunteer's message the contact guard held, waiting for them to send or drop it.</summary>
public sealed record HeldMessage(long ConversationId, string Text, IReadOnlyList<ContactKind> Kinds);

/// <summary>
/// Held messages, one per volunteer (a newer one replaces the older). Kept in memory only, like a message typed
/// before choosing a conversation: after a restart the volunteer is told nothing is held and writes it again, and the
/// words were never written to disk.
/// </summary>
public sealed class HeldMessages
{
    private readonly ConcurrentDictionary<Address, HeldMessage> _held = new();

    public void Hold(Address volunteer, HeldMessage message) => _held[volunteer] = message;

    public bool TryTake(Address volunteer, long? conversationId, out HeldMessage message)
    {
        if (_held.TryGetValue(volunteer, out message!) && (conversationId is null || message.ConversationId == conversationId)
            && _held.TryRemove(new KeyValuePair<Address, HeldMessage>(volunteer, message)))
        {
            return true;
        }

        message = null!;
        return false;
    }

    public void Forget(Address volunteer) => _held.TryRemove(volunteer, out _);
}
