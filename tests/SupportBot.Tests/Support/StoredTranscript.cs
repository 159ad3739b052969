using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Tests.Support;

/// <summary>What tests count a survivor's words from: the store, read with the key as a volunteer would read it.</summary>
internal static class StoredTranscript
{
    /// <summary>
    /// Everything the survivor's open conversation holds: read by its holder when a volunteer claimed it, else by
    /// <paramref name="reader"/>, who queues and claims it. Empty when the survivor has no open conversation.
    /// </summary>
    public static async Task<IReadOnlyList<TranscriptEntry>> ReadAsync(ConversationStore store, Address survivor, Address reader)
    {
        if (await store.FindOpenAsync(survivor, CancellationToken.None) is not { } open)
        {
            return [];
        }

        if (open.ClaimedBy is { } holder)
        {
            return await store.ReadTranscriptAsync(open.Id, holder, CancellationToken.None);
        }

        await store.EnqueueAsync(open.Id, survivor, null, CancellationToken.None);
        return (await store.ClaimAsync(open.Id, reader, CancellationToken.None)).Transcript;
    }
}
