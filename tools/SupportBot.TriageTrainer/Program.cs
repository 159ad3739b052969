using SupportBot.Core.Content;
using SupportBot.TriageTrainer;

// dotnet run --project tools/SupportBot.TriageTrainer [repository folder]
//   Reads the training files, trains the model and writes prompts/triage-model.json. Same files, same output.
// dotnet run --project tools/SupportBot.TriageTrainer -- --explain [repository folder] < messages.txt
//   For admins trying phrasings: each line of standard input with what fired (a rule, or the model and its features).
// dotnet run --project tools/SupportBot.TriageTrainer -- --missed [repository folder]
//   Trains as above, then prints the training risk messages cross-validation missed (kind<TAB>message): what to write
//   rules or training lines for. Never run it over an evaluation set: they are not training files.
var explain = args.Length > 0 && args[0] == "--explain";
var printMissed = args.Length > 0 && args[0] == "--missed";
var rest = explain || printMissed ? args[1..] : args;
var root = rest.Length > 0 ? rest[0] : TrainingFiles.FindRepository(Directory.GetCurrentDirectory());
var prompts = Path.Combine(root, "prompts");
var catalog = ContentCatalog.Load(prompts);
if (explain)
{
    while (Console.ReadLine() is { } line)
    {
        var found = catalog.Triage.Assess(line).Findings;
        var doubted = found.Count == 0
            ? catalog.Triage.Explain(line).Where(m => m.Outcome == SupportBot.Core.Triage.MatchOutcome.Doubted).Select(m => m.RuleId).ToList()
            : [];
        var why = found.Count == 0 ? (doubted.Count == 0 ? "none" : $"none (the model doubted {string.Join(", ", doubted)})") : string.Join("; ", found.Select(f =>
            f.Features is { } features ? $"{f.Kind}: model ({string.Join(", ", features)})" : $"{f.Kind}: {f.RuleId}"));
        Console.WriteLine($"{why}\t{line}");
    }

    return 0;
}

var result = Trainer.Train(catalog.Triage.WithoutModel(), TrainingFiles.Load(root));
File.WriteAllText(Path.Combine(prompts, "triage-model.json"), result.Json);
Console.WriteLine(result.Summary);
if (printMissed)
{
    result.Missed.ToList().ForEach(m => Console.WriteLine($"{m.Kind}\t{m.Text}"));
}

return 0;
