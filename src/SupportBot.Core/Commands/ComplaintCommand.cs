using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>
/// /complaint [profession] [region]: the first things to do, the body that handles that profession there and how
/// to reach it, what happens after filing, criminal and civil routes and support. A missing argument is asked for.
/// The region may name a country or a state or province (see <see cref="ContentCatalog.FindRegions"/>); for a
/// country with states the state is asked next, and "I'd rather not say" gives the country's guidance.
/// </summary>
public sealed class ComplaintCommand(ContentCatalog content, ComplaintCompanion companion) : ISlashCommand, IActionHandler
{
    private readonly Messages _messages = content.Messages;

    // The region takes free text, not a fixed choice list, so "/complaint psychologist california" works; a
    // missing or unknown region is still offered as a select.
    public CommandSpec Spec { get; } = new(
        "complaint",
        "Private steps for making a complaint about a helper",
        [
            new CommandOption("profession", "What kind of helper they are", Choices: content.Professions.Select(p => p.Key).ToList()),
            new CommandOption("region", "Country, state or province where the work happened"),
        ],
        ChangesState: false);

    public string Prefix => "complaint";

    public bool ChangesState => false;

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        // One free text, whatever way the platform split it: "social worker ireland" arrives as one, two or three
        // arguments depending on the adapter.
        var query = content.ReadComplaint(string.Join(' ', command.Args));
        return Task.FromResult<IReadOnlyList<Reply>>([Answer(command.Actor, query.Profession?.Key ?? query.TypedProfession, query.Region)]);
    }

    /// <summary>
    /// complaint:profession:{region} and complaint:region:{profession}: the select that filled in the missing one.
    /// complaint:sub:{profession}:{country}:{n}: a state chosen; complaint:whole:{profession}:{country}: "I'd rather not say".
    /// </summary>
    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        Reply reply = (args, action.Values) switch
        {
            (["profession", var region], [var profession]) => Answer(action.Actor, profession, region),
            (["region", var profession], [var region]) => Answer(action.Actor, profession, region),
            (["sub", var profession, var country, _], [var key])
                when Known(profession, country) is ({ } p, { } guide) && guide.Parts.FirstOrDefault(s => s.Key == key) is { } part
                => Respond(action.Actor, p, new RegionChoice(guide, part)),
            (["whole", var profession, var country], [])
                when Known(profession, country) is ({ } p, { } guide)
                => Respond(action.Actor, p, new RegionChoice(guide, null), askSubregion: false),
            _ => Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction)),
        };
        return Task.FromResult<IReadOnlyList<Reply>>([reply]);
    }

    /// <summary>A profession and country named exactly by key, as the bot writes them into action ids.</summary>
    private (Profession, ComplaintGuide)? Known(string profession, string country) =>
        content.Professions.FirstOrDefault(p => p.Key == profession) is { } p && content.Complaints.FirstOrDefault(c => c.Key == country) is { } guide
            ? (p, guide)
            : null;

    private Reply Answer(Actor actor, string typedProfession, string typedRegion)
    {
        var profession = string.IsNullOrWhiteSpace(typedProfession) ? null : content.FindProfession(typedProfession);
        var regions = content.FindRegions(typedRegion);
        var region = regions.Count == 1 ? regions[0] : null;
        if (profession is null)
        {
            return Reply.Private(actor,
                new TextBlock(Ask(_messages.ChooseProfession, typedProfession)),
                new SelectBlock($"complaint:profession:{region?.Token ?? ""}", _messages.ChooseProfession,
                    content.Professions.Select(p => new SelectOption(p.Key, p.Label)).ToList()),
                companion.StartButton);
        }

        if (region is null && regions.Count > 1)
        {
            return Reply.Private(actor,
                new TextBlock(MessageTemplate.Fill(_messages.ChooseAmbiguousRegion, ("Value", typedRegion.Trim()))),
                new SelectBlock($"complaint:region:{profession.Key}", _messages.ChooseRegion,
                    regions.Select(r => new SelectOption(r.Token, r.Title)).ToList()));
        }

        if (region is null)
        {
            return Reply.Private(actor,
                new TextBlock(Ask(_messages.ChooseRegion, typedRegion)),
                new SelectBlock($"complaint:region:{profession.Key}", _messages.ChooseRegion,
                    content.Complaints.Select(c => new SelectOption(c.Key, c.Title)).ToList()));
        }

        return Respond(actor, profession, region);
    }

    private Reply Respond(Actor actor, Profession profession, RegionChoice region, bool askSubregion = true)
    {
        var guide = region.Guide;
        if (askSubregion && region.Subregion is null && guide.Parts.Count > 0)
        {
            var question = MessageTemplate.Fill(_messages.ChooseSubregion, ("Country", guide.Title));
            var blocks = new List<Block> { new TextBlock(question) };
            blocks.AddRange(SubregionPicker.Selects(guide, $"complaint:sub:{profession.Key}:{guide.Key}", _messages.SubregionRange, question));
            blocks.Add(new ButtonsBlock([new Button($"complaint:whole:{profession.Key}:{guide.Key}", _messages.RatherNotSay)]));
            return new Reply(new Audience.OnlyActor(actor.Address), blocks);
        }

        return new Reply(new Audience.OnlyActor(actor.Address), Guide(profession, region));
    }

    private string Ask(string question, string typed) =>
        string.IsNullOrWhiteSpace(typed) ? question : MessageTemplate.Fill(_messages.NotFound, ("Value", typed)) + "\n" + question;

    private List<Block> Guide(Profession profession, RegionChoice region)
    {
        var (guide, part) = (region.Guide, region.Subregion);
        var blocks = new List<Block>
        {
            new TextBlock(List(guide.FirstSteps), MessageTemplate.Fill(_messages.ComplaintFirstStepsHeading, ("Region", region.Title))),
        };

        var route = guide.RouteFor(profession.Key, part);
        var where = route is null
            ? MessageTemplate.Fill(_messages.ComplaintNoRoute, ("Profession", profession.Label), ("Region", region.Title))
            : RouteText.Describe(route, guide, part, profession, _messages, withTimeLimit: true);
        blocks.Add(new TextBlock(where, MessageTemplate.Fill(_messages.ComplaintWhereHeading, ("Profession", profession.Label))));

        // The state's own facts come first in each section: they are the most specific to the reader.
        if (part is not null)
        {
            AddSection(blocks, MessageTemplate.Fill(_messages.ComplaintNotesHeading, ("Subregion", part.Name)), part.Notes);
        }

        AddSection(blocks, _messages.ComplaintAfterHeading, guide.AfterFilingFor(profession.Key));
        AddSection(blocks, _messages.ComplaintCriminalHeading, [.. part?.Criminal ?? [], .. guide.Criminal]);
        AddSection(blocks, _messages.ComplaintCivilHeading, [.. part?.Civil ?? [], .. guide.Civil]);
        AddSection(blocks, _messages.ComplaintSupportHeading, guide.Support);
        blocks.Add(companion.StartButton);
        return blocks;
    }

    private void AddSection(List<Block> blocks, string heading, IReadOnlyList<Guidance> items) =>
        blocks.AddRange(Packed.Blocks(items.Select(Entry), heading));

    private string Entry(Guidance item) =>
        item.Source is null ? "- " + item.Text : $"- {item.Text}\n  {MessageTemplate.Fill(_messages.Source, ("Source", item.Source))}";

    private string List(IReadOnlyList<Guidance> items) => string.Join("\n", items.Select(Entry));
}
