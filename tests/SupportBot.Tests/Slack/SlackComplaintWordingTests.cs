namespace SupportBot.Tests.Slack;

/// <summary>Slack splits "/complaint" text into the command's two options; the core still reads it as one phrase.</summary>
public sealed class SlackComplaintWordingTests
{
    [Theory]
    [InlineData("marriage and family therapist california", "Board of Behavioral Sciences")]
    [InlineData("social worker ireland", "CORU")]
    public async Task A_profession_of_several_words_is_understood(string text, string expected)
    {
        await using var host = await SlackTestHost.StartAsync();

        var envelope = await host.Slack.SendEnvelopeAsync("slash_commands", host.SlashCommand("UMEMBER", "/complaint", text, "r1"));
        var ack = await host.Slack.WaitForAckAsync(envelope);

        var answer = ack.Payload!.ToJsonString();
        Assert.Contains(expected, answer, StringComparison.Ordinal);
        Assert.DoesNotContain("have anything for", answer, StringComparison.Ordinal); // no apostrophe: the JSON escapes it
    }
}
