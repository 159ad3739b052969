namespace SupportBot.Core.Commands;

/// <summary>
/// What a command is called and takes. Platform registration and /help both read it. A command that
/// <see cref="ChangesState"/> false only answers (stores nothing), so the core remembers its event id in memory
/// rather than writing a row for it.
/// </summary>
public sealed record CommandSpec(string Name, string Description, IReadOnlyList<CommandOption> Options, bool ForVolunteers = false, bool ChangesState = true);

/// <summary>
/// An option of a command. <see cref="Choices"/>, when set, are the only values a platform offers; <see cref="Kind"/>
/// lets a platform offer a number field or a person picker where it has one. The core still gets text either way.
/// </summary>
public sealed record CommandOption(string Name, string Description, bool Required = false, IReadOnlyList<string>? Choices = null, OptionKind Kind = OptionKind.Text);

public enum OptionKind
{
    Text,

    /// <summary>A conversation number: a whole number from 1.</summary>
    Number,

    /// <summary>A person on the same platform: a mention on Discord and Slack, a name on the console.</summary>
    Person,
}

public interface ISlashCommand
{
    CommandSpec Spec { get; }

    Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct);
}

/// <summary>
/// Handles the buttons and selects whose action id starts with <see cref="Prefix"/> and a colon. The rest of the
/// id arrives split on colons; it came from a client, so handlers treat every part as untrusted input.
/// </summary>
public interface IActionHandler
{
    string Prefix { get; }

    /// <summary>False for buttons that only answer (store nothing); see <see cref="CommandSpec.ChangesState"/>.</summary>
    bool ChangesState => true;

    Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct);
}

/// <summary>Handles submitted forms whose form id starts with <see cref="Prefix"/> and a colon.</summary>
public interface IFormHandler
{
    string Prefix { get; }

    Task<IReadOnlyList<Reply>> HandleAsync(FormSubmitted form, IReadOnlyList<string> args, CancellationToken ct);
}
