using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>/resources [country]: crisis and support lines for a country, or the short list and a choice of country.</summary>
public sealed class ResourcesCommand(ContentCatalog content) : ISlashCommand, IActionHandler
{
    private readonly Messages _messages = content.Messages;

    public CommandSpec Spec { get; } = new(
        "resources",
        "Crisis and support lines, privately",
        [new CommandOption("country", "Where you are", Choices: content.Crisis.Countries.Select(c => c.Key).ToList())],
        ChangesState: false);

    public string Prefix => "resources";

    public bool ChangesState => false;

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Reply>>([Answer(command.Actor, command.Args.Count > 0 ? command.Args[0] : "")]);

    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Reply>>(
        [
            args is ["country"] && action.Values is [var country]
                ? Answer(action.Actor, country)
                : Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction)),
        ]);

    private Reply Answer(Actor actor, string typed)
    {
        var country = string.IsNullOrWhiteSpace(typed) ? null : content.FindCountry(typed);
        if (country is not null)
        {
            return Reply.Private(actor, new TextBlock(_messages.ResourcesHeading), CrisisText.Country(country, _messages));
        }

        var blocks = new List<Block>();
        if (!string.IsNullOrWhiteSpace(typed))
        {
            blocks.Add(new TextBlock(MessageTemplate.Fill(_messages.NotFound, ("Value", typed))));
        }

        blocks.Add(CrisisText.Summary(content));
        blocks.Add(new SelectBlock("resources:country", _messages.ChooseCountry,
            content.Crisis.Countries.Select(c => new SelectOption(c.Key, c.Name)).ToList()));
        return new Reply(new Audience.OnlyActor(actor.Address), blocks);
    }
}
