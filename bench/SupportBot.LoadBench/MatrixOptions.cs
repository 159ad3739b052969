using System.Globalization;

/// <summary>What to run, read from the command line; the defaults are the full matrix (under ~10 minutes).</summary>
internal sealed record MatrixOptions(
    string BotDll,
    string Prompts,
    string ReferenceDir,
    bool Quick,
    int Runs,
    IReadOnlySet<string> Only,
    IReadOnlyList<double> Rates,
    bool WithReference,
    IReadOnlyDictionary<string, string> BotEnvironment,
    double? IdleOption = null,
    int? DurableDmsOption = null,
    int DmSenders = 0)
{
    public static readonly string[] Groups = ["rates", "burst", "slack", "survivors", "dms", "startup"];

    public const string Usage = """
        usage: SupportBot.LoadBench [--bot PATH/SupportBot.dll|PATH/SupportBot] [--quick] [--runs N] [--only GROUP[,GROUP]] [--rates N[,N]] [--no-reference] [--env NAME=VALUE] [--idle SECONDS] [--dms N] [--dm-senders N]
          groups: rates (Discord /help at 100, 300, 1,000, 3,000/s), burst (20,000 /help at once), slack (Socket Mode 1,000/s),
                  survivors (DM + consent press, 0 and 50,000 queued, global limiter default and raised),
                  dms (durable DMs/s against a raw SQLite probe), startup (start-to-ready, idle RSS)
          --rates  the offered rates of the rates group (default 100,300,1000,3000)
          --quick  shorter feeds and one run each (about 3 minutes); default: three runs, medians
          --env    an environment variable for the bot process (repeatable), e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
          --bot    the published bot: SupportBot.dll (ReadyToRun, run by dotnet) or a native executable (Native AOT)
          --idle   seconds the startup scenario waits after ready before reading resident memory (default 3, quick 2)
          --dms    first DMs in the dms group (default 3000, quick 1000)
          --dm-senders  send them in a closed loop, this many in flight, each after the last one's answer (default: all at once)
        """;

    /// <summary>How long each offered rate runs.</summary>
    public double RateSeconds => Quick ? 3 : 10;

    public int BurstSize => Quick ? 5_000 : 20_000;

    public const int SeedQueued = 50_000;

    /// <summary>Survivors in the survivors scenario with the global limiter raised; with the default (50 requests/s) fewer, or it would take minutes.</summary>
    public int SurvivorsRaised => Quick ? 1_000 : 3_000;

    public int SurvivorsDefault => Quick ? 100 : 200;

    /// <summary>
    /// First DMs sent at once in the dms group. The default stays 3,000 (about 0.4 s at 7,000/s against the probe's 3 s),
    /// so figures compare with every earlier pass. A burst as long as the probe (--dms 20000) was measured beside it (perf8,
    /// bench/HISTORY.md): it is a backlog seven times larger, not a steadier state: the bot's CPU per DM rose (the GC
    /// copies what is in flight) and so did the fake's and the generator's on the same two cores, so its rate reads lower.
    /// Since perf9 the fake and the generator cost about 0.05 ms per DM at either length, so the longer window's lower
    /// rate is no longer the bench's doing.
    /// </summary>
    public int DurableDms => DurableDmsOption ?? (Quick ? 1_000 : 3_000);

    public double ProbeSeconds => Quick ? 2 : 3;

    /// <summary>How long the started bot idles before its resident memory is read (longer to look at it from outside).</summary>
    public TimeSpan Idle => TimeSpan.FromSeconds(IdleOption ?? (Quick ? 2 : 3));

    public bool Runs_(string group) => Only.Count == 0 || Only.Contains(group);

    public static MatrixOptions? Parse(string[] args, string repoRoot, out string? problem)
    {
        problem = null;
        var bot = Path.Combine(repoRoot, "bench", "out", "bot", "SupportBot.dll");
        var quick = false;
        int? runs = null;
        var only = new HashSet<string>(StringComparer.Ordinal);
        var reference = true;
        var rates = new List<double> { 100, 300, 1_000, 3_000 };
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        double? idle = null;
        int? dms = null;
        var senders = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--help" or "-h": problem = ""; return null;
                    case "--bot": bot = Path.GetFullPath(Next()); break;
                    case "--quick": quick = true; break;
                    case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--only": only.UnionWith(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                    case "--no-reference": reference = false; break;
                    case "--rates": rates = [.. Next().Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))]; break;
                    case "--idle": idle = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--dms": dms = Positive(Next(), "--dms"); break;
                    case "--dm-senders": senders = Positive(Next(), "--dm-senders"); break;
                    case "--env":
                        var pair = Next().Split('=', 2);
                        env[pair[0]] = pair.Length == 2 ? pair[1] : "";
                        break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                problem = e.Message;
                return null;
            }
        }

        if (only.Except(Groups).FirstOrDefault() is { } unknown)
        {
            problem = $"unknown group {unknown}";
            return null;
        }

        if (!File.Exists(bot))
        {
            problem = $"no bot at {bot}: publish it first (bench/run.sh does), or give --bot PATH/SupportBot.dll (or the Native AOT executable)";
            return null;
        }

        return new MatrixOptions(bot, Path.Combine(repoRoot, "prompts"), Path.Combine(repoRoot, "bench", "reference"),
            quick, runs ?? (quick ? 1 : 3), only, rates, reference, env, idle, dms, senders);
    }

    private static int Positive(string text, string option) =>
        int.Parse(text, CultureInfo.InvariantCulture) is var n && n > 0 ? n : throw new ArgumentException($"{option} needs a number above 0");
}
