using System.Globalization;
using Microsoft.Extensions.Logging;
using SupportBot.Core.Commands;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Conversations;

/// <summary>
/// The survivor's optional choices offered with the queued answer: keep nothing after the close
/// (safeguard:keep:n), and name the community or practitioner involved so that a volunteer close to them is not
/// offered the conversation (safeguard:community:n opens a form; the form safeguard:n stores only keyed hashes).
/// </summary>
public sealed partial class SurvivorSafeguards(
    KeepNothingStore keepNothing,
    AffiliationStore affiliations,
    ContentCatalog content,
    Microsoft.Extensions.Options.IOptions<StorageOptions> storage,
    ILogger<SurvivorSafeguards> logger) : IActionHandler, IFormHandler
{
    private readonly Messages _messages = content.Messages;

    public string Prefix => "safeguard";

    /// <summary>The two buttons, for the answer that confirms the survivor is in line.</summary>
    public IReadOnlyList<Button> Buttons(long id) =>
    [
        new Button($"safeguard:keep:{id}", _messages.KeepNothingButton),
        new Button($"safeguard:community:{id}", _messages.CommunityButton),
    ];

    public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (args is not [var choice, var number] || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
        }

        switch (choice)
        {
            case "keep":
                if (!await keepNothing.ChooseAsync(id, action.Actor.Address, ct))
                {
                    return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
                }

                LogKeepNothing(id);
                return [Reply.Private(action.Actor, new TextBlock(MessageTemplate.Fill(_messages.KeepNothingSet, ("Days", storage.Value.RetentionDays))))];
            case "community":
                return
                [
                    Reply.Private(action.Actor, new FormBlock($"safeguard:community:{id}", _messages.CommunityFormTitle,
                        [new FormField("community", _messages.CommunityFieldLabel, Multiline: false, MaxLength: 300)], "Save")),
                ];
            default:
                return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
        }
    }

    public async Task<IReadOnlyList<Reply>> HandleAsync(FormSubmitted form, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (args is not ["community", var number] || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !form.Fields.TryGetValue("community", out var typed))
        {
            return [Reply.Private(form.Actor, new TextBlock(_messages.UnknownAction))];
        }

        // Several may be named at once, separated by commas or semicolons; each is matched on its own.
        var names = typed.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n.Length <= AffiliationStore.MaxLength && AffiliationStore.Normalise(n).Length > 0)
            .Take(5)
            .ToList();
        if (names.Count == 0)
        {
            return [Reply.Private(form.Actor, new TextBlock(_messages.UnknownAction))];
        }

        if (!await affiliations.TagConversationAsync(id, form.Actor.Address, names, ct))
        {
            return [Reply.Private(form.Actor, new TextBlock(_messages.CommunityTooLate))];
        }

        LogCommunityNamed(id, names.Count);
        return [Reply.Private(form.Actor, new TextBlock(_messages.CommunitySaved))];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId}: the survivor chose keep-nothing")]
    private partial void LogKeepNothing(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId}: the survivor named {Count} communit(ies) for screening")]
    private partial void LogCommunityNamed(long conversationId, int count);
}
