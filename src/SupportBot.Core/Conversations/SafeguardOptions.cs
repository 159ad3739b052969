namespace SupportBot.Core.Conversations;

/// <summary>
/// Support:* limits that protect volunteers and the queue: blocks, per-person rate limits, how many conversations one
/// volunteer carries, and whom a volunteer can talk to after a hard one. Other Support:* keys have their own class.
/// </summary>
public sealed class SafeguardOptions
{
    public const string Section = "Support";

    /// <summary>Conversations one volunteer may hold at once; claims and transfers beyond it are refused. 0: no limit.</summary>
    public int MaxConversationsPerVolunteer { get; set; }

    /// <summary>How volunteers reach the coordinators (a name, channel or address), given after an urgent conversation closes.</summary>
    public string CoordinatorContact { get; set; } = "";

    /// <summary>How long a /block lasts when no duration is given.</summary>
    public int DefaultBlockDays { get; set; } = 7;

    /// <summary>The longest block; every block expires.</summary>
    public int MaxBlockDays { get; set; } = 365;

    /// <summary>Direct messages one person may send in a minute before the bot asks them to slow down. 0: no limit.</summary>
    public int DirectMessagesPerMinute { get; set; } = 30;

    /// <summary>Urgent pages to the volunteer channel one person may cause in an hour; more are posted as normal notices. 0: no limit.</summary>
    public int UrgentAlertsPerHour { get; set; } = 3;
}
