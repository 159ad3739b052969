using SupportBot.Bench;

// Each benchmark is a subcommand; add a line here and a class beside this file for a new one.
var benchmarks = new Dictionary<string, (string About, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["triage"] = ("microseconds per message for the risk detector, over the evaluation sets", TriageBenchmark.Run),
    ["sealing"] = ("CPU microseconds per seal and per person key, now and as before, one thread", SealingBenchmark.Run),
    ["frames"] = ("CPU microseconds and bytes per Discord INTERACTION_CREATE frame read, now and as before, one thread", FramesBenchmark.Run),
    ["durable"] = ("raw SQLite probe vs the bot's durable-DM storage path, 50 writers each, A B A B, one process", DurableBenchmark.Run),
    ["reads"] = ("CPU microseconds per hot read (block check + draft), pooled connection vs kept reader, one thread", ReadsBenchmark.Run),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var chosen))
{
    Console.Error.WriteLine("Usage: dotnet run -c Release --project bench/SupportBot.Bench -- <benchmark> [options]");
    foreach (var (name, (about, _)) in benchmarks)
    {
        Console.Error.WriteLine($"  {name,-10} {about}");
    }

    return args.Length == 0 || args[0] is "help" or "--help" or "-h" ? 0 : 2;
}

return chosen.Run(args[1..]);
