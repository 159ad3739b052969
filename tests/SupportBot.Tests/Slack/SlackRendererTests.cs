using System.Text.Json.Nodes;
using SupportBot.Core;
using SupportBot.Slack;

namespace SupportBot.Tests.Slack;

public sealed class SlackRendererTests
{
    private static readonly Address Someone = new(Platform.Slack, "U1");

    [Fact]
    public void Long_text_is_split_into_sections_of_at_most_3000_characters_without_losing_any()
    {
        var words = string.Join(' ', Enumerable.Range(0, 2000).Select(i => $"word{i}"));

        var messages = SlackRenderer.Render(Reply.DirectTo(Someone, new TextBlock(words)));

        var sections = messages.SelectMany(m => m.Blocks).Select(b => b!["text"]!["text"]!.GetValue<string>()).ToList();
        Assert.True(sections.Count > 1);
        Assert.All(sections, s => Assert.True(s.Length <= SlackRenderer.MaxSectionText));
        Assert.Equal(words, string.Join(' ', sections));
    }

    [Fact]
    public void Text_from_people_is_escaped_so_it_cannot_mention_a_channel()
    {
        var messages = SlackRenderer.Render(Reply.DirectTo(Someone, new TextBlock("hi <!channel> & <@U2>")));

        var text = messages[0].Blocks[0]!["text"]!["text"]!.GetValue<string>();
        Assert.Equal("hi &lt;!channel&gt; &amp; &lt;@U2&gt;", text);
        Assert.DoesNotContain("<!channel>", messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_bold_and_lists_become_slack_mrkdwn()
    {
        Assert.Equal("*Bold* words\n• one\n• two", SlackRenderer.ToMrkdwn("**Bold** words\n- one\n- two"));
    }

    [Fact]
    public void A_multi_select_becomes_checkbox_groups_of_at_most_ten_and_one_done_button()
    {
        var options = Enumerable.Range(1, 23).Select(i => new SelectOption($"v{i}", new string('x', 120))).ToList();

        var blocks = SlackRenderer.Render(Reply.DirectTo(Someone, new SelectBlock("redflags:check:t", "Tick what applies", options, Multiple: true, DoneLabel: "Show what these mean")))
            .SelectMany(m => m.Blocks).Select(b => b!.AsObject()).ToList();

        var groups = blocks.Where(b => b["block_id"]?.GetValue<string>().StartsWith(SlackRenderer.GroupPrefix, StringComparison.Ordinal) == true).ToList();
        Assert.Equal(3, groups.Count);
        var boxes = groups.Select(g => g["elements"]![0]!).ToList();
        Assert.All(boxes, b => Assert.True(b["options"]!.AsArray().Count <= 10));
        Assert.All(boxes.SelectMany(b => b["options"]!.AsArray()), o => Assert.True(o!["text"]!["text"]!.GetValue<string>().Length <= 75));
        Assert.Equal(23, boxes.Sum(b => b["options"]!.AsArray().Count));
        var done = Assert.Single(blocks.SelectMany(b => b["elements"] as JsonArray ?? []), e => e!["action_id"]?.GetValue<string>() == "done/redflags:check:t");
        Assert.Equal("Show what these mean", done!["text"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void A_form_becomes_a_modal_whose_ids_are_the_form_and_field_ids()
    {
        var modal = SlackRenderer.RenderModal(new FormBlock("note:7", "A private note for the conversation", [new FormField("text", "Note")], "Save"));

        Assert.Equal("note:7", modal["callback_id"]!.GetValue<string>());
        Assert.True(modal["title"]!["text"]!.GetValue<string>().Length <= 24);
        var input = modal["blocks"]![0]!;
        Assert.Equal("text", input["block_id"]!.GetValue<string>());
        Assert.Equal("text", input["element"]!["action_id"]!.GetValue<string>());
    }

    [Fact]
    public void More_than_fifty_blocks_are_sent_as_several_messages()
    {
        var blocks = Enumerable.Range(0, 60).Select(i => (Block)new TextBlock($"part {i}")).ToArray();

        var messages = SlackRenderer.Render(Reply.DirectTo(Someone, blocks));

        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.True(m.Blocks.Count <= SlackRenderer.MaxBlocksPerMessage));
    }
}
