using System.Globalization;
using System.Security.Cryptography;
using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>/reflect [theme]: one reflection prompt at a time, with another from the same theme or a different theme.</summary>
public sealed class ReflectCommand(ContentCatalog content) : ISlashCommand, IActionHandler
{
    private readonly Messages _messages = content.Messages;

    public CommandSpec Spec { get; } = new(
        "reflect",
        "A private reflection prompt, one at a time",
        [new CommandOption("theme", "What you would like to reflect on", Choices: content.Reflections.Select(r => r.Key).ToList())],
        ChangesState: false);

    public string Prefix => "reflect";

    public bool ChangesState => false;

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var typed = command.Args.Count > 0 ? command.Args[0] : "";
        var theme = string.IsNullOrWhiteSpace(typed) ? null : content.FindReflection(typed);
        var reply = theme is null
            ? Themes(command.Actor, string.IsNullOrWhiteSpace(typed) ? _messages.ChooseTheme : MessageTemplate.Fill(_messages.NotFound, ("Value", typed)))
            : Prompt(command.Actor, theme, RandomNumberGenerator.GetInt32(theme.Prompts.Count), replace: false, starting: true);
        return Task.FromResult<IReadOnlyList<Reply>>([reply]);
    }

    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        Reply reply = args switch
        {
            ["pick"] when action.Values is [var key] && content.FindReflection(key) is { } theme =>
                Prompt(action.Actor, theme, RandomNumberGenerator.GetInt32(theme.Prompts.Count), replace: true, starting: true),
            ["next", var key, var shown] when content.FindReflection(key) is { } theme
                && int.TryParse(shown, NumberStyles.None, CultureInfo.InvariantCulture, out var index) =>
                Prompt(action.Actor, theme, (index + 1) % theme.Prompts.Count, replace: true, starting: false),
            ["themes"] => Themes(action.Actor, _messages.ChooseTheme) with { ReplacesOriginal = true },
            _ => Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction)),
        };
        return Task.FromResult<IReadOnlyList<Reply>>([reply]);
    }

    private Reply Themes(Actor actor, string intro) => Reply.Private(actor,
        new TextBlock(intro),
        new SelectBlock("reflect:pick", _messages.ChooseTheme, content.Reflections.Select(r => new SelectOption(r.Key, r.Title)).ToList()));

    // Walking on from the prompt just shown means "another" never repeats until the theme is exhausted. A theme's
    // introduction (the responsibility is the helper's; stop whenever you need to) comes first when the theme starts,
    // not again with every further question.
    private Reply Prompt(Actor actor, Content.ReflectionTheme theme, int index, bool replace, bool starting)
    {
        var blocks = new List<Block>();
        if (starting)
        {
            blocks.Add(new TextBlock(theme.Intro, theme.Title));
        }

        blocks.Add(new TextBlock(theme.Prompts[index], starting ? null : theme.Title));
        blocks.Add(new ButtonsBlock(
        [
            new Button($"reflect:next:{theme.Key}:{index}", _messages.AnotherPrompt, ButtonStyle.Primary),
            new Button("reflect:themes", _messages.DifferentTheme),
        ]));
        return new Reply(new Audience.OnlyActor(actor.Address), blocks, ReplacesOriginal: replace);
    }
}
