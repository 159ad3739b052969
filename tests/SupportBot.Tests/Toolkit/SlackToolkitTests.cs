using SupportBot.Tests.Fakes;
using SupportBot.Tests.Slack;

namespace SupportBot.Tests.Toolkit;

/// <summary>Issue 13 through the fake Slack: block, coordinators by user id, stats, transfer to a mentioned volunteer.</summary>
public sealed class SlackToolkitTests
{
    private const string Coordinator = "UCORA";
    private const string Sam = "USAM";

    [Fact]
    public async Task Block_blocks_stats_and_transfer_run_on_slack()
    {
        await using var host = await SlackTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Slack:CoordinatorUserIds:0"] = Coordinator,
            ["Slack:VolunteerUserIds:1"] = Sam,
        });
        var slack = host.Slack;

        // Transfer: the holder names a volunteer by mention; they accept with the button in their DM.
        var claim = await SlackToolkit.QueueAsync(host, "USURV", "My healer Bramblewood asked me for money", 0);
        var id = claim.Split(':')[1];
        await SlackToolkit.PressAsync(host, SlackTestHost.Volunteer, claim, SlackTestHost.VolunteerChannel);
        var asked = await SlackToolkit.RunAsync(host, SlackTestHost.Volunteer, "/transfer", $"{id} <@{Sam}|sam>");
        Assert.Contains($"#{id}", asked.Text(), StringComparison.Ordinal);
        var offer = await SlackSocketModeTests.PostedToAsync(slack, "D" + Sam, 1);
        Assert.Contains($"transfer:accept:{id}", SlackTestHost.ActionIds(offer[0].Args));
        Assert.DoesNotContain("Bramblewood", offer[0].AllText, StringComparison.Ordinal);

        // Pressed in a DM, which is private already: the answers arrive as messages there.
        await slack.SendEnvelopeAsync("interactive", host.ButtonPress(Sam, $"transfer:accept:{id}", "D" + Sam, "r-accept"));
        await Eventually.TrueAsync(
            () => slack.CallsTo("chat.postMessage").Any(c => c.Args["channel"]?.GetValue<string>() == "D" + Sam && c.AllText.Contains("Bramblewood", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "the transcript in the new holder's DM");
        await Eventually.TrueAsync(
            () => slack.CallsTo("chat.postMessage").Any(c => c.Args["channel"]?.GetValue<string>() == "DUSURV" && c.AllText.Contains("A new volunteer is joining", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the survivor told a new volunteer joins");

        // Block: the person's next DM gets the calm answer once; coordinators list it and see it in /stats.
        var block = await SlackToolkit.RunAsync(host, Sam, "/block", $"{id} 2h");
        Assert.Contains("blocked until", block.Text(), StringComparison.Ordinal);
        var before = slack.CallsTo("chat.postMessage").Count(c => c.Args["channel"]?.GetValue<string>() == "DUSURV");
        await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage("USURV", "is anyone there", "EvBlocked"));
        var after = await SlackSocketModeTests.PostedToAsync(slack, "DUSURV", before + 1);
        Assert.Contains("nothing you send here reaches a volunteer", after[^1].AllText, StringComparison.Ordinal);

        Assert.Contains($"#{id}", (await SlackToolkit.RunAsync(host, Coordinator, "/blocks")).Text(), StringComparison.Ordinal);
        Assert.Contains("- blocked: 1", (await SlackToolkit.RunAsync(host, Coordinator, "/stats")).Text(), StringComparison.Ordinal);
        Assert.Contains("Only coordinators", (await SlackToolkit.RunAsync(host, Sam, "/stats")).Text(), StringComparison.Ordinal);
        // A press is stored in the inbox before it is handled: the coordinator must still be one when it is.
        Assert.Contains("lifted", (await SlackToolkit.PressAsync(host, Coordinator, $"unblock:{id}", "C111")).Text(), StringComparison.Ordinal);

        Assert.DoesNotContain(slack.CallsTo("chat.postMessage"),
            c => c.Args["channel"]?.GetValue<string>() == SlackTestHost.VolunteerChannel && c.AllText.Contains("Bramblewood", StringComparison.Ordinal));
        Assert.DoesNotContain("Bramblewood", host.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("USURV", host.Logs.AllText, StringComparison.Ordinal);
    }
}
