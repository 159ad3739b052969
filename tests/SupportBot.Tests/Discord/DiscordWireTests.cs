using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupportBot.Tests.Support;
using SupportBot.Discord;
using SupportBot.Discord.Wire;

namespace SupportBot.Tests.Discord;

/// <summary>The official sample payloads read through the adapter's own wire types.</summary>
public sealed class DiscordWireTests
{
    [SharedFixtureFact]
    public void Modal_inputs_are_read_from_labels_and_from_action_rows()
    {
        // The docs' Label sample is JSONC with a "...additionalInteractionFields" placeholder line; drop that line.
        var jsonc = string.Join("\n", SharedFixtureFactAttribute.Read("discord", "interaction_data.modal_submit.label.docs.jsonc")
            .Split('\n').Where(l => !l.TrimStart().StartsWith("...", StringComparison.Ordinal)));
        var label = JsonNode.Parse(jsonc, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        var labelData = label["data"].Deserialize(DiscordJson.Default.InteractionData)!;
        var rowData = JsonNode.Parse(SharedFixtureFactAttribute.Read("discord", "interaction.modal_submit.action_row.docs-2024.json"))!["data"]
            .Deserialize(DiscordJson.Default.InteractionData)!;

        Assert.Equal("The recent changes to acceleration feel much better, but shadows still need help",
            DiscordInbound.ReadFields(labelData.Components)["game_feedback"]);
        Assert.Equal("John", DiscordInbound.ReadFields(rowData.Components)["name"]);
    }

    [SharedFixtureFact]
    public void Every_official_interaction_sample_parses_with_its_user_and_token()
    {
        foreach (var name in new[]
        {
            "interaction.application_command.guild.docs.json",
            "interaction.application_command.dm.docs-tutorial.comments-stripped.json",
            "interaction.message_component.button.docs-2024.json",
            "interaction.message_component.string_select.docs-2024.json",
            "interaction.modal_submit.action_row.docs-2024.json",
        })
        {
            var interaction = JsonSerializer.Deserialize(SharedFixtureFactAttribute.Read("discord", name), DiscordJson.Default.WireInteraction)!;
            Assert.False(string.IsNullOrEmpty(interaction.Id), name);
            Assert.False(string.IsNullOrEmpty(interaction.Token), name);
            Assert.NotNull(interaction.Member?.User ?? interaction.User);
        }
    }

    [SharedFixtureFact]
    public void The_captured_hello_and_ready_give_the_interval_and_the_resume_state()
    {
        var hello = GatewayFrameReader.Read(Encoding.UTF8.GetBytes(SharedFixtureFactAttribute.Read("discord", "gateway_hello.captured-v10.json")))!;
        var ready = GatewayFrameReader.Read(Encoding.UTF8.GetBytes(SharedFixtureFactAttribute.Read("discord", "gateway_ready.captured-v10.json")))!;

        Assert.Equal(41250, JsonSerializer.Deserialize(hello.D.Span, DiscordJson.Default.HelloData)!.HeartbeatInterval);
        var data = JsonSerializer.Deserialize(ready.D.Span, DiscordJson.Default.ReadyData)!;
        Assert.Equal(("bf8eb88e4939e52df093261f3abbc638", "wss://gateway-us-east1-c.discord.gg", "1030118727418646629"),
            (data.SessionId, data.ResumeGatewayUrl, data.User.Id));
        Assert.Equal(1, ready.S);
    }
}
