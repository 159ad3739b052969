using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>
/// /redflags [helper]: a checklist the person ticks privately, then what the ticked signs mean, most serious
/// first, that the responsibility is the helper's, and where to go next.
/// </summary>
public sealed class RedFlagsCommand(ContentCatalog content) : ISlashCommand, IActionHandler
{
    private readonly Messages _messages = content.Messages;

    public CommandSpec Spec { get; } = new(
        "redflags",
        "A private checklist of warning signs for a kind of helper",
        [new CommandOption("helper", "Which kind of helper", Choices: content.RedFlags.Select(r => r.Key).ToList())],
        ChangesState: false);

    public string Prefix => "redflags";

    public bool ChangesState => false;

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        // One free text, like /complaint: "/redflags massage therapist" arrives as one or two arguments.
        var typed = string.Join(' ', command.Args).Trim();
        return Task.FromResult<IReadOnlyList<Reply>>([Checklist(command.Actor, typed)]);
    }

    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        Reply reply = args switch
        {
            ["pick"] when action.Values.Count == 1 => Checklist(action.Actor, action.Values[0]),
            ["check", var key] when content.FindRedFlags(key) is { } list => Result(action.Actor, list, action.Values),
            _ => Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction)),
        };
        return Task.FromResult<IReadOnlyList<Reply>>([reply]);
    }

    private Reply Checklist(Actor actor, string typed)
    {
        var list = string.IsNullOrWhiteSpace(typed) ? null : content.FindRedFlags(typed) ?? ByProfession(typed);
        if (list is null)
        {
            var intro = string.IsNullOrWhiteSpace(typed) ? _messages.ChooseHelper : MessageTemplate.Fill(_messages.NotFound, ("Value", typed));
            return Reply.Private(actor,
                new TextBlock(intro),
                new SelectBlock("redflags:pick", _messages.ChooseHelper, content.RedFlags.Select(r => new SelectOption(r.Key, r.Helper)).ToList()));
        }

        return Reply.Private(actor,
            new TextBlock(list.Intro, list.Title),
            new SelectBlock($"redflags:check:{list.Key}", _messages.RedFlagsPrompt,
                list.Items.Select(i => new SelectOption(i.Id, i.Text)).ToList(), Multiple: true, DoneLabel: _messages.RedFlagsDoneButton),
            new ButtonsBlock([new Button($"redflags:check:{list.Key}", _messages.RedFlagsNoneButton)]));
    }

    // A profession name people type ("yoga teacher", "massage therapist", "faith leader") finds the checklist whose
    // key is that profession's key, where there is one.
    private RedFlagList? ByProfession(string typed) =>
        content.ReadComplaint(typed) is { Profession: { } profession, Region: "" } ? content.FindRedFlags(profession.Key) : null;

    private Reply Result(Actor actor, RedFlagList list, IReadOnlyList<string> ticked)
    {
        var items = list.Items.Where(i => ticked.Contains(i.Id, StringComparer.Ordinal)).ToList();
        var blocks = new List<Block>();
        if (items.Count == 0)
        {
            blocks.Add(new TextBlock(_messages.RedFlagsNoneTicked));
        }
        else
        {
            blocks.Add(new TextBlock(_messages.NotYourFault, _messages.RedFlagsResultHeading));
            foreach (var group in items.GroupBy(i => i.Severity).OrderByDescending(g => g.Key))
            {
                var entries = group.Select(item => $"- **{item.Text}** {item.Why}\n  {MessageTemplate.Fill(_messages.Source, ("Source", item.Source))}");
                blocks.AddRange(Packed.Blocks(entries, Heading(group.Key)));
            }
        }

        blocks.Add(new TextBlock(
            string.Join("\n", _messages.NextStepComplaint, _messages.NextStepReflect, _messages.NextStepVolunteer, _messages.NextStepResources),
            _messages.NextStepsHeading));
        blocks.Add(NextSteps.Buttons());
        if (items.Any(i => i.Severity == Severity.Violation))
        {
            blocks.Add(CrisisText.Summary(content));
        }

        return new Reply(new Audience.OnlyActor(actor.Address), blocks);
    }

    private string Heading(Severity severity) => severity switch
    {
        Severity.Violation => _messages.SeverityViolation,
        Severity.Warning => _messages.SeverityWarning,
        _ => _messages.SeverityCrossing,
    };
}

/// <summary>The "where next" buttons under a result; each runs the command it names, privately.</summary>
public sealed class NextSteps(IEnumerable<ISlashCommand> commands, ContentCatalog content) : IActionHandler
{
    private static readonly string[] Targets = ["complaint", "reflect", "resources"];

    public string Prefix => "next";

    public bool ChangesState => false;

    public static ButtonsBlock Buttons() => new(Targets.Select(t => new Button($"next:{t}", "/" + t)).ToList());

    public async Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        var command = args is [var target] && Targets.Contains(target) ? commands.FirstOrDefault(c => c.Spec.Name == target) : null;
        if (command is null)
        {
            return [Reply.Private(action.Actor, new TextBlock(content.Messages.UnknownAction))];
        }

        return await command.RunAsync(new SlashCommand(action.Actor, action.EventId, command.Spec.Name, []), ct);
    }
}
