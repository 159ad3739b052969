using SupportBot.Core.Commands;

namespace SupportBot.Core;

/// <summary>
/// Turns the text after a command's name into its arguments, by the command's <see cref="CommandSpec"/>: words
/// fill the options in order and the last option takes the rest of the text, so "/note she is safe now" keeps
/// its spaces. The console and Slack (which send text) use it; Discord sends named options and uses
/// <see cref="FromNamed"/>.
/// </summary>
public static class CommandLine
{
    /// <summary>"name rest of line" (no leading slash) into the command's name and its arguments.</summary>
    public static (string Name, IReadOnlyList<string> Args) Parse(IReadOnlyList<CommandSpec> commands, string line)
    {
        var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var name = parts.Length > 0 ? parts[0] : "";
        return (name, Split(Find(commands, name), parts.Length > 1 ? parts[1] : ""));
    }

    /// <summary>The arguments in <paramref name="text"/>; an unknown command gets the whole text as one argument.</summary>
    public static IReadOnlyList<string> Split(CommandSpec? spec, string text)
    {
        var count = Math.Max(spec?.Options.Count ?? 1, 1);
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? [] : trimmed.Split(' ', count, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Named option values (Discord) in the order of the spec's options; a missing one is empty, and empty ones at the
    /// end are left out, as if the text had ended there. An unknown command keeps the values in the order given.
    /// </summary>
    public static IReadOnlyList<string> FromNamed(CommandSpec? spec, IReadOnlyList<(string Name, string Value)> named)
    {
        var args = spec is null
            ? named.Select(n => n.Value).ToList()
            : spec.Options.Select(o => named.FirstOrDefault(n => n.Name == o.Name).Value ?? "").ToList();
        while (args.Count > 0 && args[^1].Length == 0)
        {
            args.RemoveAt(args.Count - 1);
        }

        return args;
    }

    public static CommandSpec? Find(IReadOnlyList<CommandSpec> commands, string name) =>
        commands.FirstOrDefault(c => string.Equals(c.Name, name.TrimStart('/'), StringComparison.OrdinalIgnoreCase));
}
