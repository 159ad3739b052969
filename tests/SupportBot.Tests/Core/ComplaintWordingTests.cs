using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Core;

/// <summary>
/// "/complaint" reads its arguments as free text, so a profession of several words and a region after it work
/// however the platform split the line: one argument per word (the console), two (Discord's options) or one (Slack).
/// </summary>
public sealed class ComplaintWordingTests : IDisposable
{
    private readonly CoreHarness _core = new();
    private readonly Actor _alice = Say.Member("alice");

    public void Dispose() => _core.Dispose();

    private ContentCatalog Content => _core.Content;

    private async Task<Reply> ComplaintAsync(params string[] args) => (await _core.Bot.HandleAsync(Say.Command(_alice, "complaint", args), default)).Single();

    // Each case is the arguments as an adapter might pass them, separated here by "|".
    [Theory]
    [InlineData("social|worker|ireland")]
    [InlineData("social worker|ireland")]
    [InlineData("social worker ireland")]
    [InlineData("Ireland|social|worker")]
    [InlineData("social-worker|ie")]
    public async Task A_social_worker_in_ireland_gets_the_irish_route_however_the_words_arrive(string args)
    {
        var reply = await ComplaintAsync(args.Split('|'));

        var route = Content.FindComplaint("ie")!.Routes.Single(r => r.Profession == "social-worker");
        Assert.Contains(route.Body, reply.Text(), StringComparison.Ordinal);
        Assert.Contains("First steps (Ireland)", reply.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("marriage", "and", "family", "therapist", "california")]
    [InlineData("marriage and family therapist", "california")]
    [InlineData("mft", "California, USA")]
    public async Task The_longest_profession_name_wins_so_a_marriage_and_family_therapist_is_not_a_therapist(params string[] args)
    {
        var reply = await ComplaintAsync(args);

        var california = Content.FindComplaint("us")!.FindSubregion("california");
        var route = Content.FindComplaint("us")!.RouteFor("mft", california);
        Assert.Contains(route!.Body, reply.Text(), StringComparison.Ordinal);
        Assert.Contains("Where to complain about a Marriage and family therapist", reply.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_before_a_place_is_read_as_a_word_not_as_india()
    {
        var california = await ComplaintAsync("therapist", "in", "california");
        var india = await ComplaintAsync("psychiatrist", "in");

        Assert.Contains("California, United States", california.Text(), StringComparison.Ordinal);
        Assert.Contains("State Medical Council", india.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_yoga_teacher_in_the_us_is_asked_for_the_state()
    {
        var reply = await ComplaintAsync("yoga", "teacher", "us");

        Assert.Contains(reply.Choices(), c => c.ActionId.StartsWith("complaint:sub:yoga:us:", StringComparison.Ordinal));
        Assert.Contains(reply.Choices(), c => c.ActionId == "complaint:whole:yoga:us");
    }

    [Fact]
    public async Task A_massage_therapist_in_ontario_goes_to_the_massage_college_not_to_yoga_alliance()
    {
        var reply = await ComplaintAsync("massage", "therapist", "ontario");

        Assert.Contains("College of Massage Therapists of Ontario", reply.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("accountability@yogaalliance.org", reply.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_profession_is_named_back_and_the_region_after_it_is_kept()
    {
        var reply = await ComplaintAsync("astrologer", "new", "zealand");

        Assert.Contains("\"astrologer\"", reply.Text(), StringComparison.Ordinal);
        Assert.Contains(reply.Choices(), c => c.ActionId == "complaint:profession:nz");
    }

    [Fact]
    public async Task After_filing_shows_only_what_the_body_for_that_profession_does()
    {
        var counsellor = (await ComplaintAsync("counsellor", "uk")).Text();
        var psychologist = (await ComplaintAsync("psychologist", "uk")).Text();

        Assert.Contains("BACP cannot award you money", counsellor, StringComparison.Ordinal);
        Assert.DoesNotContain("the HCPC can suspend", counsellor, StringComparison.Ordinal);
        Assert.Contains("the HCPC can suspend", psychologist, StringComparison.Ordinal);
        Assert.DoesNotContain("BACP cannot award you money", psychologist, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sources_are_shown_without_a_review_date()
    {
        var text = (await ComplaintAsync("psychologist", "uk")).Text();

        Assert.Contains("(Source: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("last checked", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Content.FindComplaint("uk")!.Taken, text, StringComparison.Ordinal);
    }
}
