using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using SupportBot.Tests.Content;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Toolkit;

public sealed class SnippetTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");
    private readonly Actor _vol = Say.Volunteer("vol");

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task Snippet_without_a_name_lists_every_snippet_privately()
    {
        var replies = await _core.Bot.HandleAsync(Say.Command(_vol, "snippet"), default);

        var list = replies.OnlyTo(_vol).Text();
        Assert.All(_core.Content.Snippets.Snippets, s => Assert.Contains(s.Name, list, StringComparison.Ordinal));
        Assert.Single(replies);
    }

    [Fact]
    public async Task Snippet_reaches_the_survivor_as_the_volunteers_words_with_their_pseudonym_filled_in()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "He asked me not to tell anyone");
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);
        var pseudonym = (await _core.Get<ConversationStore>().GetAsync(id, default))!.KnownAs;

        var replies = await _core.Bot.HandleAsync(Say.Command(_vol, "snippet", "hello"), default);

        var toSurvivor = replies.DmTo(_alice).Text();
        var expected = MessageTemplate.Fill(_core.Content.Snippets.Find("hello")!.Text, ("Name", pseudonym));
        Assert.Contains(expected, toSurvivor, StringComparison.Ordinal);
        Assert.StartsWith("\n**Volunteer:**", toSurvivor, StringComparison.Ordinal);
        Assert.DoesNotContain("{Name}", toSurvivor, StringComparison.Ordinal);
        Assert.Contains("#" + id, replies.OnlyTo(_vol).Text(), StringComparison.Ordinal);
        var audit = await _core.Get<ConversationStore>().AuditTrailAsync(id, default);
        Assert.Equal("message", audit[^1].Action);
    }

    [Fact]
    public async Task An_unknown_snippet_is_named_back_and_nothing_is_sent()
    {
        var id = await _core.Bot.QueueDisclosureAsync(_alice, "A first message");
        await _core.Bot.HandleAsync(Say.Command(_vol, "claim", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), default);

        var replies = await _core.Bot.HandleAsync(Say.Command(_vol, "snippet", "no-such-thing"), default);

        Assert.Contains("no-such-thing", replies.OnlyTo(_vol).Text(), StringComparison.Ordinal);
        Assert.Single(replies);
    }

    [Fact]
    public async Task A_snippet_without_a_held_conversation_is_refused_and_members_cannot_use_it()
    {
        var notHolding = await _core.Bot.HandleAsync(Say.Command(_vol, "snippet", "hello"), default);
        var member = await _core.Bot.HandleAsync(Say.Command(_alice, "snippet", "hello"), default);

        Assert.Equal(_core.Content.Messages.NotHolding, notHolding.Single().Text().Trim());
        Assert.Equal(_core.Content.Messages.NotVolunteer, member.Single().Text().Trim());
    }

    [Fact]
    public void A_snippet_with_an_unknown_placeholder_stops_start_up_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = Path.Combine(folder.Path, "snippets.json");
        File.WriteAllText(file, """
            {
              "snippets": [
                { "name": "hello", "description": "Hi", "text": "Hi {Name}." },
                { "name": "bad", "description": "Uses a field that does not exist", "text": "Hello {Pseudonym}." }
              ]
            }
            """);

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        Assert.Contains("snippets.json line 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("{Pseudonym}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snippets_never_claim_therapy_or_an_emergency_service()
    {
        foreach (var snippet in PromptsFolder.LoadReal().Snippets.Snippets)
        {
            Assert.DoesNotMatch(@"(?i)\b(I am|I'm) (a|your) (therapist|counsell?or)\b", snippet.Text);
            Assert.DoesNotMatch(@"(?i)\b(this is|we are) an emergency service\b", snippet.Text);
            Assert.DoesNotMatch(@"(?i)\b(diagnos|treatment plan)", snippet.Text);
        }
    }
}
