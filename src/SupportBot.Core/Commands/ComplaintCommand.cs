using System.Text;
using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>
/// /complaint [profession] [region]: the first things to do, the body that handles that profession there and how
/// to reach it, what happens after filing, criminal and civil routes and support. A missing argument is asked for.
/// </summary>
public sealed class ComplaintCommand(ContentCatalog content, ComplaintCompanion companion) : ISlashCommand, IActionHandler
{
    private readonly Messages _messages = content.Messages;

    public CommandSpec Spec { get; } = new(
        "complaint",
        "Private steps for making a complaint about a helper",
        [
            new CommandOption("profession", "What kind of helper they are", Choices: content.Professions.Select(p => p.Key).ToList()),
            new CommandOption("region", "Where the work happened", Choices: content.Complaints.Select(c => c.Key).ToList()),
        ]);

    public string Prefix => "complaint";

    public Task<IReadOnlyList<Reply>> RunAsync(SlashCommand command, CancellationToken ct)
    {
        var profession = command.Args.Count > 0 ? command.Args[0] : "";
        var region = command.Args.Count > 1 ? command.Args[1] : "";
        return Task.FromResult<IReadOnlyList<Reply>>([Answer(command.Actor, profession, region)]);
    }

    /// <summary>complaint:profession:{region} and complaint:region:{profession}: the select that filled in the missing one.</summary>
    public Task<IReadOnlyList<Reply>> HandleAsync(ActionInvoked action, IReadOnlyList<string> args, CancellationToken ct)
    {
        Reply reply = (args, action.Values) switch
        {
            (["profession", var region], [var profession]) => Answer(action.Actor, profession, region),
            (["region", var profession], [var region]) => Answer(action.Actor, profession, region),
            _ => Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction)),
        };
        return Task.FromResult<IReadOnlyList<Reply>>([reply]);
    }

    private Reply Answer(Actor actor, string typedProfession, string typedRegion)
    {
        var profession = string.IsNullOrWhiteSpace(typedProfession) ? null : content.FindProfession(typedProfession);
        var guide = string.IsNullOrWhiteSpace(typedRegion) ? null : content.FindComplaint(typedRegion);
        if (profession is null)
        {
            return Reply.Private(actor,
                new TextBlock(Ask(_messages.ChooseProfession, typedProfession)),
                new SelectBlock($"complaint:profession:{guide?.Key ?? ""}", _messages.ChooseProfession,
                    content.Professions.Select(p => new SelectOption(p.Key, p.Label)).ToList()),
                companion.StartButton);
        }

        if (guide is null)
        {
            return Reply.Private(actor,
                new TextBlock(Ask(_messages.ChooseRegion, typedRegion)),
                new SelectBlock($"complaint:region:{profession.Key}", _messages.ChooseRegion,
                    content.Complaints.Select(c => new SelectOption(c.Key, c.Title)).ToList()));
        }

        return new Reply(new Audience.OnlyActor(actor.Address), Guide(profession, guide));
    }

    private string Ask(string question, string typed) =>
        string.IsNullOrWhiteSpace(typed) ? question : MessageTemplate.Fill(_messages.NotFound, ("Value", typed)) + "\n" + question;

    private List<Block> Guide(Profession profession, ComplaintGuide guide)
    {
        var blocks = new List<Block>
        {
            new TextBlock(List(guide.FirstSteps, guide.LastChecked), MessageTemplate.Fill(_messages.ComplaintFirstStepsHeading, ("Region", guide.Title))),
        };

        var route = guide.Routes.FirstOrDefault(r => r.Profession == profession.Key);
        var where = new StringBuilder();
        if (route is null)
        {
            where.Append(MessageTemplate.Fill(_messages.ComplaintNoRoute, ("Profession", profession.Label), ("Region", guide.Title)));
        }
        else
        {
            where.Append("**").Append(route.Body).AppendLine("**").AppendLine(route.HowToReach);
            if (route.Url is not null)
            {
                where.AppendLine(route.Url);
            }

            if (route.TimeLimit is not null)
            {
                where.AppendLine(MessageTemplate.Fill(_messages.ComplaintTimeLimit, ("Limit", route.TimeLimit)));
            }

            where.Append(MessageTemplate.Fill(_messages.Source, ("Source", route.Source), ("Checked", guide.LastChecked)));
        }

        blocks.Add(new TextBlock(where.ToString(), MessageTemplate.Fill(_messages.ComplaintWhereHeading, ("Profession", profession.Label))));
        AddSection(blocks, _messages.ComplaintAfterHeading, guide.AfterFiling, guide.LastChecked);
        AddSection(blocks, _messages.ComplaintCriminalHeading, guide.Criminal, guide.LastChecked);
        AddSection(blocks, _messages.ComplaintCivilHeading, guide.Civil, guide.LastChecked);
        AddSection(blocks, _messages.ComplaintSupportHeading, guide.Support, guide.LastChecked);
        blocks.Add(companion.StartButton);
        return blocks;
    }

    private void AddSection(List<Block> blocks, string heading, IReadOnlyList<Guidance> items, string lastChecked)
    {
        if (items.Count > 0)
        {
            blocks.Add(new TextBlock(List(items, lastChecked), heading));
        }
    }

    private string List(IReadOnlyList<Guidance> items, string lastChecked)
    {
        var text = new StringBuilder();
        foreach (var item in items)
        {
            text.Append("- ").AppendLine(item.Text);
            if (item.Source is not null)
            {
                text.Append("  ").AppendLine(MessageTemplate.Fill(_messages.Source, ("Source", item.Source), ("Checked", lastChecked)));
            }
        }

        return text.ToString().TrimEnd();
    }
}
