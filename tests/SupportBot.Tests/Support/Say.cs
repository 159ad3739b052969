using SupportBot.Core;

namespace SupportBot.Tests.Support;

/// <summary>Short ways to make inbound events and read replies in core tests.</summary>
public static class Say
{
    public static Actor Member(string name) => new(new Address(Platform.Console, name), name, IsVolunteer: false);

    public static Actor Volunteer(string name) => new(new Address(Platform.Console, name), name, IsVolunteer: true);

    public static SlashCommand Command(Actor actor, string name, params string[] args) => new(actor, NewId(), name, args);

    public static DirectMessage Dm(Actor actor, string text) => new(actor, NewId(), text);

    public static ActionInvoked Press(Actor actor, string actionId, params string[] values) => new(actor, NewId(), actionId, values);

    public static string NewId() => "test:" + Guid.NewGuid().ToString("N");

    public static string Text(this Reply reply) => string.Join("\n", reply.Blocks.OfType<TextBlock>().Select(t => (t.Heading ?? "") + "\n" + t.Body));

    public static string AllText(this IEnumerable<Reply> replies) => string.Join("\n---\n", replies.Select(r => r.Text() + "\n" + string.Join("\n", r.Choices().Select(c => c.Label))));

    public static IReadOnlyList<(string ActionId, string Label, string? Value)> Choices(this Reply reply) =>
        reply.Blocks.SelectMany(b => b switch
        {
            ButtonsBlock buttons => buttons.Buttons.Select(x => (x.ActionId, x.Label, (string?)null)),
            SelectBlock select => select.Options.Select(o => (select.ActionId, o.Label, (string?)o.Value)),
            _ => [],
        }).ToList();

    public static Reply To(this IEnumerable<Reply> replies, Audience audience) => replies.Single(r => r.Audience == audience);

    public static IEnumerable<Reply> ForVolunteerChannel(this IEnumerable<Reply> replies) => replies.Where(r => r.Audience is Audience.Volunteers);

    public static Reply DmTo(this IEnumerable<Reply> replies, Actor actor) => replies.Single(r => r.Audience == new Audience.Direct(actor.Address));

    public static Reply OnlyTo(this IEnumerable<Reply> replies, Actor actor) => replies.Single(r => r.Audience == new Audience.OnlyActor(actor.Address));

    /// <summary>Runs the survivor's first DM and presses "yes, under a made-up name"; returns the conversation number.</summary>
    public static async Task<long> QueueDisclosureAsync(this Bot bot, Actor survivor, string text)
    {
        var first = await bot.HandleAsync(Dm(survivor, text), default);
        var consent = first.Single().Choices().Single(c => c.ActionId.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        await bot.HandleAsync(Press(survivor, consent.ActionId), default);
        return long.Parse(consent.ActionId.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
