namespace SupportBot.Slack;

/// <summary>
/// A Web API call Slack refused (<c>ok:false</c>) or that failed after its retries. <see cref="Error"/> is Slack's
/// error code or a short fixed kind (<c>http_503</c>, <c>invalid_json</c>), never a sentence, so it can be logged as a code.
/// </summary>
public sealed class SlackApiException : Exception
{
    public SlackApiException(string method, string error)
        : base($"Slack {method} failed: {error}")
    {
        Method = method;
        Error = error;
    }

    public SlackApiException(string method, string error, Exception inner)
        : base($"Slack {method} failed: {error}", inner)
    {
        Method = method;
        Error = error;
    }

    public SlackApiException()
    {
        Method = "";
        Error = UnknownError;
    }

    public SlackApiException(string message)
        : base(message)
    {
        Method = "";
        Error = UnknownError;
    }

    public SlackApiException(string message, Exception inner)
        : base(message, inner)
    {
        Method = "";
        Error = UnknownError;
    }

    /// <summary>What <see cref="Error"/> says when the failure has no code of its own.</summary>
    public const string UnknownError = "unknown_error";

    public string Method { get; }

    public string Error { get; }

    /// <summary>Errors that no retry or reconnect can fix: the configuration is wrong.</summary>
    public bool IsConfigurationError => Error is "not_authed" or "invalid_auth" or "account_inactive" or "token_revoked"
        or "user_removed_from_team" or "team_disabled" or "missing_scope" or "not_allowed_token_type";
}
