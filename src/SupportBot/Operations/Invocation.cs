namespace SupportBot.Operations;

internal enum Verb
{
    Run,
    Help,
    Version,
    Check,
    Health,
    Backup,
    Restore,
}

/// <summary>
/// What the command line asks for: a verb (run by default) and the configuration arguments, which go to the
/// configuration unchanged. Verbs are taken out first: "--check" left in would swallow the next argument as its value.
/// </summary>
internal sealed record Invocation(Verb Verb, string? File, bool WithKey, string[] ConfigurationArgs, string? Problem)
{
    public const string Usage = """
        SupportBot: a peer-support bot for Discord and Slack (the console adapter runs when neither is configured).

        Usage:
          SupportBot [--Section:Key=value ...]             run the bot
          SupportBot --check [--Section:Key=value ...]     check configuration, content and the database key; print what would start
          SupportBot --health                              ask the running bot's /readyz (Health:Urls); exit 0 when ready, 1 when not
          SupportBot backup FILE [--with-key]              copy the database consistently, also while the bot runs; --with-key writes FILE.key too
          SupportBot restore FILE                          put a backup in place of the database (stop the bot first)
          SupportBot --version | --help

        Configuration comes from appsettings.json, SUPPORTBOT_ environment variables (SUPPORTBOT_Discord__Token) and
        --Section:Key=value arguments. Exit codes: 0 done, 1 not healthy (--health), 2 configuration or storage problem,
        3 a platform refused the bot (a rejected token, say).
        """;

    public static Invocation Parse(string[] args)
    {
        var verb = Verb.Run;
        string? file = null;
        var withKey = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var named = arg switch
            {
                "--help" or "-h" or "-?" => Verb.Help,
                "--version" => Verb.Version,
                "--check" => Verb.Check,
                "--health" => Verb.Health,
                "backup" => Verb.Backup,
                "restore" => Verb.Restore,
                _ => (Verb?)null,
            };
            if (named is { } v)
            {
                if (verb != Verb.Run && verb != v)
                {
                    return new Invocation(Verb.Help, null, false, [], $"Choose one of {verb} and {v}.");
                }

                verb = v;
                if (v is Verb.Backup or Verb.Restore)
                {
                    if (i + 1 >= args.Length || args[i + 1].StartsWith('-'))
                    {
                        return new Invocation(v, null, false, [], $"{v.ToString().ToLowerInvariant()} needs a file name: SupportBot {v.ToString().ToLowerInvariant()} FILE");
                    }

                    file = args[++i];
                }
            }
            else if (arg == "--with-key")
            {
                withKey = true;
            }
            else
            {
                rest.Add(arg);
            }
        }

        if (withKey && verb != Verb.Backup)
        {
            return new Invocation(verb, file, false, [], "--with-key goes with backup only.");
        }

        return new Invocation(verb, file, withKey, rest.ToArray(), null);
    }
}
