using SupportBot.Tests.Support;

namespace SupportBot.Tests.EndToEnd;

/// <summary>Issue 13 on the console, in the real process: affiliations, the survivor's community, snippets and the contact guard.</summary>
public sealed class ConsoleToolkitTests : IDisposable
{
    private const string Disclosure = "My reiki teacher Marshwren told me our sessions had to stay secret";
    private readonly TempFolder _folder = new("e2e-toolkit");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_declared_affiliation_screens_a_volunteer_out_and_a_colleague_serves_with_a_snippet_and_a_confirmed_message()
    {
        await using var bot = ConsoleProcess.Start(_folder.Path, "--Console:Volunteers:0=vol", "--Console:Volunteers:1=sam");

        var declared = await bot.SayAsync("vol: /affiliations add Marshwren Healing", "[only vol]");
        Assert.Contains("Marshwren Healing", declared[^1], StringComparison.Ordinal);
        var queued = await bot.DiscloseAsync("alice", Disclosure);
        var ask = await bot.SayAsync($"alice: [{ConsoleProcess.ChoiceNumber(queued, "Name the community or helper (optional)")}]", "write it as");
        Assert.StartsWith("[only alice]", ask[^1], StringComparison.Ordinal);
        var saved = await bot.SayAsync("alice: marshwren healing", "Thank you.");
        Assert.StartsWith("[only alice]", saved[^1], StringComparison.Ordinal);

        var refused = await bot.SayAsync("vol: /claim 1", "[only vol]");
        Assert.Contains("isn't offered to you", refused[^1], StringComparison.Ordinal);
        var queue = await bot.SayAsync("vol: /queue", "[only vol]");
        Assert.Contains("Nobody is waiting", queue[^1], StringComparison.Ordinal);

        await bot.SayAsync("sam: /claim 1", "was claimed by sam");
        var snippet = await bot.SayAsync("sam: /snippet hello", "[dm alice] Volunteer: Hi ");
        Assert.DoesNotContain(snippet, l => l.Contains("{Name}", StringComparison.Ordinal));

        var held = await bot.SayAsync("sam (dm): you can ring me on 07700 900123", "/confirm send");
        Assert.Contains(held, l => l.StartsWith("[dm sam]", StringComparison.Ordinal) && l.Contains("a phone number", StringComparison.Ordinal));
        Assert.DoesNotContain(held, l => l.StartsWith("[dm alice]", StringComparison.Ordinal));
        var sent = await bot.SayAsync("sam: /confirm send", "[dm alice] Volunteer: you can ring me");
        Assert.Contains("07700 900123", sent.Single(l => l.StartsWith("[dm alice]", StringComparison.Ordinal)), StringComparison.Ordinal);

        Assert.DoesNotContain(bot.Seen, l => l.StartsWith("[volunteers]", StringComparison.Ordinal)
            && (l.Contains("Marshwren", StringComparison.OrdinalIgnoreCase) || l.Contains("reiki", StringComparison.Ordinal)));
        Assert.Equal(0, await bot.EndInputAsync());
    }
}
