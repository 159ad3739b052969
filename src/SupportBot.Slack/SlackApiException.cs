namespace SupportBot.Slack;

/// <summary>A Web API call Slack refused (<c>ok:false</c>) or that failed after its retries. Carries Slack's error code.</summary>
public sealed class SlackApiException : Exception
{
    public SlackApiException(string method, string error)
        : base($"Slack {method} failed: {error}")
    {
        Method = method;
        Error = error;
    }

    public SlackApiException()
    {
        Method = "";
        Error = "";
    }

    public SlackApiException(string message)
        : base(message)
    {
        Method = "";
        Error = message;
    }

    public SlackApiException(string message, Exception inner)
        : base(message, inner)
    {
        Method = "";
        Error = message;
    }

    public string Method { get; }

    public string Error { get; }

    /// <summary>Errors that no retry or reconnect can fix: the configuration is wrong.</summary>
    public bool IsConfigurationError => Error is "not_authed" or "invalid_auth" or "account_inactive" or "token_revoked"
        or "user_removed_from_team" or "team_disabled" or "missing_scope" or "not_allowed_token_type";
}
