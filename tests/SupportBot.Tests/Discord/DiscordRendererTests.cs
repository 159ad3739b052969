using SupportBot.Core;
using SupportBot.Discord;

namespace SupportBot.Tests.Discord;

public sealed class DiscordRendererTests
{
    private static readonly Address Someone = new(Platform.Discord, "1");

    [Fact]
    public void Long_text_is_split_below_2000_characters_at_line_breaks_with_components_on_the_last_message()
    {
        var body = string.Join("\n", Enumerable.Range(0, 120).Select(i => $"- line {i:D3} " + new string('x', 30)));
        var reply = new Reply(new Audience.Direct(Someone), [new TextBlock(body), new ButtonsBlock([new Button("a:1", "A")])]);

        var messages = DiscordRenderer.Render(reply);

        Assert.True(messages.Count >= 3);
        Assert.All(messages, m => Assert.InRange(m.Content.Length, 1, 2000));
        Assert.All(messages.SkipLast(1), m => Assert.EndsWith(new string('x', 30), m.Content, StringComparison.Ordinal));
        Assert.Empty(messages[0].Rows);
        Assert.Single(messages[^1].Rows);
        Assert.Equal(body.Replace("\n", "", StringComparison.Ordinal), string.Concat(messages.Select(m => m.Content.Replace("\n", "", StringComparison.Ordinal))));
    }

    [Fact]
    public void Paragraphs_are_one_blank_line_apart_with_headings_in_bold_and_an_empty_first_one_adds_no_blank_lines()
    {
        var reply = new Reply(new Audience.Direct(Someone),
            [new TextBlock(""), new TextBlock("Thank you for writing."), new ButtonsBlock([new Button("a:1", "A")]), new TextBlock("Lines", "Heading")]);

        var message = Assert.Single(DiscordRenderer.Render(reply));

        Assert.Equal("Thank you for writing.\n\n**Heading**\nLines", message.Content);
        Assert.Single(message.Rows);
    }

    [Fact]
    public void Buttons_go_five_to_a_row_and_a_multi_select_allows_none_to_all()
    {
        var buttons = new ButtonsBlock(Enumerable.Range(1, 7).Select(i => new Button($"b:{i}", $"B{i}", i == 1 ? ButtonStyle.Danger : ButtonStyle.Primary)).ToList());
        var select = new SelectBlock("s:1", "Tick", Enumerable.Range(1, 4).Select(i => new SelectOption($"v{i}", $"Option {i}")).ToList(), Multiple: true);

        var message = Assert.Single(DiscordRenderer.Render(new Reply(new Audience.Direct(Someone), [buttons, select])));

        Assert.Equal([5, 2, 1], message.Rows.Select(r => r.Components!.Count));
        Assert.Equal(4, message.Rows[0].Components![0].Style);
        Assert.Equal(1, message.Rows[0].Components![1].Style);
        var menu = message.Rows[2].Components![0];
        Assert.Equal((3, 0, 4), ((int)menu.Type, menu.MinValues, menu.MaxValues));
    }

    [Fact]
    public void A_form_becomes_a_modal_of_labelled_text_inputs()
    {
        var form = new FormBlock("note:7", "A note for whoever holds #7 next, which is a long title", [new FormField("text", "Note", MaxLength: 500)], "Save");

        var modal = DiscordRenderer.Modal(form);

        Assert.Equal("note:7", modal.CustomId);
        Assert.True(modal.Title!.Length <= 45);
        var label = Assert.Single(modal.Components!);
        Assert.Equal(18, (int)label.Type); // the wire number: a label
        Assert.Equal((4, "text", 2, 500), ((int)label.Component!.Type, label.Component.CustomId, label.Component.Style, label.Component.MaxLength));
    }
}
