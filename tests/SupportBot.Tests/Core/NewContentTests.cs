using SupportBot.Core;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

/// <summary>The checklists and countries added in the second content pass are offered where people look for them.</summary>
public sealed class NewContentTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");

    public void Dispose() => _core.Dispose();

    private async Task<Reply> RunAsync(string command, params string[] args) =>
        (await _core.Bot.HandleAsync(Say.Command(_alice, command, args), default)).Single();

    [Theory]
    [InlineData("clergy", "faith leader")]
    [InlineData("yoga", "yoga, fitness or movement teacher")]
    [InlineData("bodywork", "massage therapist")]
    public async Task Redflags_offers_the_new_checklists_and_shows_each_one(string key, string helper)
    {
        var menu = await RunAsync("redflags");
        var checklist = await RunAsync("redflags", key);

        Assert.Contains(menu.Choices(), c => c.Value == key && c.Label.Contains(helper, StringComparison.Ordinal));
        Assert.Equal(_core.Content.FindRedFlags(key)!.Items.Count, checklist.Choices().Count(c => c.ActionId == $"redflags:check:{key}" && c.Value is not null));
    }

    [Fact]
    public async Task No_text_block_is_longer_than_a_slack_section_even_with_every_sign_ticked_or_every_route_shown()
    {
        var replies = new List<Reply>();
        foreach (var list in _core.Content.RedFlags)
        {
            replies.AddRange(await _core.Bot.HandleAsync(Say.Press(_alice, $"redflags:check:{list.Key}", [.. list.Items.Select(i => i.Id)]), default));
        }

        foreach (var guide in _core.Content.Complaints)
        {
            foreach (var profession in _core.Content.Professions)
            {
                replies.AddRange(await _core.Bot.HandleAsync(Say.Press(_alice, $"complaint:whole:{profession.Key}:{guide.Key}"), default));
                foreach (var part in guide.Parts)
                {
                    replies.Add(await RunAsync("complaint", profession.Key, $"{guide.Key}.{part.Key}"));
                }
            }
        }

        // Slack shows at most 3000 characters of a section; longer text would be cut mid-sentence.
        var blocks = replies.SelectMany(r => r.Blocks.OfType<TextBlock>()).ToList();
        Assert.True(blocks.Count > 1000, $"only {blocks.Count} blocks were checked");
        Assert.All(blocks, b => Assert.True(b.Body.Length <= 3000, $"{b.Heading}: {b.Body.Length} characters"));
    }

    [Fact]
    public void The_evidence_checklist_never_asks_the_person_to_find_other_victims()
    {
        var companion = _core.Content.Companion;
        var wording = string.Join("\n", companion.Evidence.Select(e => e.Label).Append(companion.EvidenceMissing).Append(companion.AskEvidence));

        // TELL does not connect victims with each other; the bot must not send someone looking for them either.
        Assert.DoesNotMatch(@"(?i)\b(other (people|victims|clients)|others who|similar experience|can get it)\b", wording);
    }

    [Theory]
    [InlineData("yoga|teacher", "yoga")]
    [InlineData("massage therapist", "bodywork")]
    [InlineData("faith|leader", "clergy")]
    [InlineData("Therapist", "therapist")]
    public async Task Redflags_finds_a_checklist_by_the_name_people_type(string args, string key)
    {
        var checklist = await RunAsync("redflags", args.Split('|'));

        Assert.Contains(checklist.Choices(), c => c.ActionId == $"redflags:check:{key}");
    }

    [Theory]
    [InlineData("de", "TelefonSeelsorge")]
    [InlineData("in", "Tele-MANAS")]
    [InlineData("za", "SADAG Suicide Crisis Helpline")]
    public async Task Resources_and_complaint_offer_germany_india_and_south_africa(string key, string line)
    {
        var menu = await RunAsync("resources");
        var lines = await RunAsync("resources", key);
        var regions = await RunAsync("complaint", "psychiatrist");

        Assert.Contains(menu.Choices(), c => c.Value == key);
        Assert.Contains(line, lines.Text(), StringComparison.Ordinal);
        Assert.Contains(regions.Choices(), c => c.Value == key);
    }
}
