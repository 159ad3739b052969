using System.Globalization;
using System.Text.RegularExpressions;

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
    string ConsentReminder,
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
    string VolunteerNoticeUrgent,
    string ClaimButton,
    string Claimed,
    string ClaimedNotice,
    string AlreadyTaken,
    string NotWaiting,
    string AlreadyYours,
    string TranscriptHeading,
    string RelayFromSurvivor,
    string RelayFromVolunteer,
    string SurvivorLeft,
    string Withdrawn,
    string QueueEmpty,
    string QueueHeading,
    string QueueLine,
    string Released,
    string ChooseOutcome,
    string Closed,
    string ClosedNotice,
    string NoteSaved,
    string NoteFormTitle,
    string NoteFieldLabel,
    string NotHolding,
    string ChooseConversation,
    string ReplyHereButton,
    string FocusSet,
    string NotVolunteer,
    // Red flags
    string ChooseHelper,
    string RedFlagsPrompt,
    string RedFlagsNoneButton,
    string RedFlagsNoneTicked,
    string RedFlagsResultHeading,
    string SeverityViolation,
    string SeverityWarning,
    string SeverityCrossing,
    string NotYourFault,
    string NextStepsHeading,
    string NextStepComplaint,
    string NextStepReflect,
    string NextStepResources,
    string NextStepVolunteer,
    // Reflection
    string ChooseTheme,
    string AnotherPrompt,
    string DifferentTheme,
    // Complaints
    string ChooseProfession,
    string ChooseRegion,
    string ComplaintFirstStepsHeading,
    string ComplaintWhereHeading,
    string ComplaintTimeLimit,
    string ComplaintAfterHeading,
    string ComplaintCriminalHeading,
    string ComplaintCivilHeading,
    string ComplaintSupportHeading,
    string ComplaintNoRoute,
    // Resources
    string ChooseCountry,
    string ResourcesHeading,
    string InternationalHeading,
    string CrisisShortHeading,
    // Everyone
    string NotFound,
    string UnknownCommand,
    string UnknownAction,
    string TooLong,
    string SomethingWentWrong,
    string HelpHeading,
    string HelpVolunteerHeading,
    string Privacy,
    string ForgetDone,
    string ForgetNothing,
    string Source,
    // Complaints by state or province (appended, so the keys above keep their places)
    string ChooseSubregion,
    string SubregionRange,
    string RatherNotSay,
    string ComplaintSubregionFallback,
    string ComplaintNotesHeading,
    string ChooseAmbiguousRegion,
    string RedFlagsDoneButton,
    string WaitUnderAMinute,
    string WaitMinutes,
    string WaitHours,
    string WaitDays,
    // Storage faults
    string StorageFailed,
    string StorageDelayed,
    string ConversationUnreadable,
    string CompanionNeedsChoice,
    // Risk triage: the notice for danger from another person, and the alert to the volunteer holding a conversation
    string DangerNoticePerson,
    string VolunteerRiskAlert,
    // Operations
    string VolunteerHoldingNothing,
    // Volunteer toolkit (issue 13): blocks and rate limits, coordinators, transfer, care for volunteers, stats
    string NotCoordinator,
    string BlockUsage,
    string NoSuchConversation,
    string AlreadyBlocked,
    string Blocked,
    string ClosedByBlock,
    string BlockedNotice,
    string UnblockUsage,
    string Unblocked,
    string UnblockNotYours,
    string NotBlocked,
    string BlocksHeading,
    string BlocksEmpty,
    string BlocksLine,
    string LiftButton,
    string SlowDown,
    string UrgentAlreadyRaised,
    string TransferUsage,
    string TransferAsked,
    string TransferOffer,
    string TransferAcceptButton,
    string TransferDeclineButton,
    string TransferNotForYou,
    string TransferDeclinedDone,
    string TransferDeclined,
    string TransferGone,
    string TransferAccepted,
    string TransferDone,
    string NewVolunteerJoining,
    string AtMaxConversations,
    string Debrief,
    string DebriefContact,
    string StatsHeading,
    string StatsTotal,
    string StatsWaitToClaim,
    string StatsFirstReply,
    string StatsNone,
    // Snippets
    string SnippetListHeading,
    string SnippetLine,
    string SnippetUnknown,
    string SnippetSent,
    // Support hours, alerts, nudges and quiet conversations
    string OutsideHours,
    string StillWaiting,
    string StillWaitingUrgent,
    string NudgeHolder,
    string AutoClosed,
    string AutoClosedHolder,
    string AutoClosedNotice,
    // Off-platform contact guard
    string GuardHeld,
    string GuardSendButton,
    string GuardDiscardButton,
    string GuardConsoleHint,
    string GuardSent,
    string GuardDiscarded,
    string GuardNothingHeld,
    string GuardReasonPhone,
    string GuardReasonEmail,
    string GuardReasonHandle,
    string GuardReasonPlace,
    string GuardReasonPayment,
    // Conflict-of-interest screening
    string AffiliationsUsage,
    string AffiliationAdded,
    string AffiliationRemoved,
    string AffiliationNotFound,
    string AffiliationsList,
    string AffiliationsNone,
    string CommunityButton,
    string CommunityFormTitle,
    string CommunityFieldLabel,
    string CommunitySaved,
    string CommunityTooLate,
    string ConflictRefused,
    // Keep nothing
    string KeepNothingButton,
    string KeepNothingSet,
    string KeepNothingDeleted,
    // Transfer to a volunteer with a declared conflict
    string TransferConflict);

public static partial class MessageTemplate
{
    /// <summary>
    /// Fills {Name} placeholders in one pass, so text a person wrote that happens to contain braces is never
    /// expanded. An unknown placeholder is left as written so it shows up in review.
    /// </summary>
    public static string Fill(string template, params (string Name, object Value)[] values) =>
        Placeholder().Replace(template, match =>
        {
            foreach (var (name, value) in values)
            {
                if (name == match.Groups[1].Value)
                {
                    return Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                }
            }

            return match.Value;
        });

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
