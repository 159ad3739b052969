namespace SupportBot.Slack;

/// <summary>
/// Slack settings. A class, never a record: a record's ToString would print the tokens.
/// Socket Mode runs when <see cref="AppToken"/> is set; otherwise HTTP mode runs when <see cref="SigningSecret"/> is.
/// </summary>
public sealed class SlackOptions
{
    public const string Section = "Slack";

    /// <summary>The bot token (xoxb-…) for the Web API.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>The app-level token (xapp-…, scope connections:write) for Socket Mode.</summary>
    public string AppToken { get; set; } = "";

    /// <summary>The signing secret that proves HTTP-mode requests come from Slack.</summary>
    public string SigningSecret { get; set; } = "";

    public string ApiBaseUrl { get; set; } = "https://slack.com/api";

    /// <summary>Slack user ids (U…) of volunteers.</summary>
    public IList<string> VolunteerUserIds { get; } = [];

    /// <summary>Slack user ids (U…) of coordinators: volunteers who may also list and lift blocks and read /stats.</summary>
    public IList<string> CoordinatorUserIds { get; } = [];

    /// <summary>A user group (S…) whose members are volunteers, looked up and cached for a minute.</summary>
    public string VolunteerUserGroupId { get; set; } = "";

    /// <summary>The private channel (C… or G…) where volunteers see that conversations wait; never their words.</summary>
    public string VolunteerChannelId { get; set; } = "";

    /// <summary>Where HTTP mode listens, for example http://0.0.0.0:3000; falls back to the host's --urls.</summary>
    public string Urls { get; set; } = "";

    /// <summary>
    /// Put before every command name registered in the app manifest (for example "sb-" for /sb-help), because short
    /// names like /help and /close collide with other apps in a workspace. Empty by default.
    /// </summary>
    public string CommandPrefix { get; set; } = "";

    /// <summary>
    /// How many Socket Mode connections to keep open (1 to 10, Slack's limit per app). Slack spreads events across the
    /// open ones, so with more than one a reconnecting socket loses nothing meanwhile; each acknowledges what it received.
    /// </summary>
    public int SocketConnections { get; set; } = 1;

    /// <summary>Slack allows an app at most ten Socket Mode connections at a time; the next one is told too_many_websockets.</summary>
    public const int MaxSocketConnections = 10;

    public bool IsEnabled => BotToken.Length > 0 && (AppToken.Length > 0 || SigningSecret.Length > 0);

    public bool UseSocketMode => AppToken.Length > 0;
}
