namespace SupportBot.Discord;

/// <summary>
/// The Discord section of the configuration. A class, not a record, so that nothing ever prints the token
/// through a generated <c>ToString</c>.
/// </summary>
public sealed class DiscordOptions
{
    public const string Section = "Discord";

    /// <summary>The bot token from the Developer Portal. The adapter runs only when it is set.</summary>
    public string Token { get; set; } = "";

    public string ApplicationId { get; set; } = "";

    public string ApiBaseUrl { get; set; } = "https://discord.com/api/v10";

    /// <summary>Registers the commands in this guild only (instant, for testing) and looks volunteers up in it.</summary>
    public string GuildId { get; set; } = "";

    public string VolunteerRoleId { get; set; } = "";

    public string VolunteerChannelId { get; set; } = "";

    public IList<string> VolunteerUserIds { get; set; } = [];

    /// <summary>A role whose members are coordinators: volunteers who may also list and lift blocks and read /stats.</summary>
    public string CoordinatorRoleId { get; set; } = "";

    /// <summary>The one shard this process runs, when <see cref="ShardIds"/> is empty.</summary>
    public int ShardId { get; set; }

    public int ShardCount { get; set; } = 1;

    /// <summary>
    /// The shards this process runs, each on its own gateway connection ("0,1" on the command line or in an environment
    /// variable, or a list in appsettings.json). Empty: the one in <see cref="ShardId"/>. See <see cref="DiscordShardSet"/>.
    /// </summary>
    public IList<string> ShardIds { get; set; } = [];

    /// <summary>
    /// The most requests per second on the bot's own routes (DMs, member lookups, notices). Discord allows most bots
    /// 50 and grants large ones more; interaction answers are not counted and never wait for it.
    /// </summary>
    public int GlobalRequestsPerSecond { get; set; } = 50;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Token);
}
