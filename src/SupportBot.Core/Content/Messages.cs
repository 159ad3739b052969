namespace SupportBot.Core.Content;

/// <summary>
/// Everything the bot itself says, from prompts/messages.json. Binding to a record means a misspelt or
/// missing key stops start-up instead of failing in a survivor's direct message. Placeholders are
/// written {Name} and filled by <see cref="MessageTemplate.Fill"/>.
/// </summary>
public sealed record Messages(
    // Direct-message intake
    string Welcome,
    string ConsentQuestion,
    string ConsentPseudonym,
    string ConsentOwnName,
    string ConsentResourcesOnly,
    string ConsentStop,
    string DangerNotice,
    string Queued,
    string QueuedAddition,
    string ResourcesOnly,
    string Stopped,
    string EndButton,
    string SurvivorEnded,
    string VolunteerJoined,
    string VolunteerReleased,
    string ConversationClosed,
    string NothingToEnd,
    // Volunteers
    string VolunteerNotice,
    string ClaimButton,
    string Claimed,
    string AlreadyTaken,
    string NotWaiting,
    string TranscriptHeading,
    string RelayFromSurvivor,
    string RelayFromVolunteer,
    string SurvivorLeft,
    string QueueEmpty,
    string QueueHeading,
    string Released,
    string Closed,
    string NoteSaved,
    string NoteFormTitle,
    string NoteFieldLabel,
    string NotHolding,
    string ChooseConversation,
    string NotVolunteer,
    string VolunteerNotInConversation,
    // Everyone
    string UnknownCommand,
    string UnknownAction,
    string TooLong,
    string HelpHeading,
    string HelpVolunteerHeading,
    string Privacy,
    string ForgetDone,
    string ForgetNothing,
    string Boundaries,
    string NotTherapy);

public static class MessageTemplate
{
    /// <summary>Fills {Name} placeholders; an unknown placeholder is left as written so it shows up in review.</summary>
    public static string Fill(string template, params (string Name, object Value)[] values)
    {
        var text = template;
        foreach (var (name, value) in values)
        {
            text = text.Replace("{" + name + "}", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return text;
    }
}
