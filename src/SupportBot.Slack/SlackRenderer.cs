using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SupportBot.Core;

namespace SupportBot.Slack;

/// <summary>One Slack message: Block Kit blocks plus the plain text Slack shows in notifications.</summary>
public sealed record SlackMessage(JsonArray Blocks, string Text);

/// <summary>
/// Turns the core's UI model into Block Kit. Slack's limits shape it: a section holds at most 3000 characters,
/// a message at most 50 blocks, an option label at most 75 characters and a checkbox group at most 10 options.
/// Text from people is escaped so that nobody can ping a channel through the bot.
/// </summary>
public static partial class SlackRenderer
{
    public const int MaxSectionText = 3000;
    public const int MaxBlocksPerMessage = 50;
    public const int MaxCheckboxOptions = 10;
    public const int MaxOptionLabel = 75;

    /// <summary>block_id of a checkbox group of a multi select: "sel/{actionId}/{group}".</summary>
    public const string GroupPrefix = "sel/";

    /// <summary>action_id of the button that sends a multi select's ticks: "done/{actionId}".</summary>
    public const string DonePrefix = "done/";

    // The core's model has no label for this Slack-only button; it belongs in messages.json when the core grows one.
    private const string DefaultDoneLabel = "Done";

    /// <summary>The messages of a reply (more than one when it has more than 50 blocks). Forms are left out: they open as modals.</summary>
    public static IReadOnlyList<SlackMessage> Render(Reply reply)
    {
        var blocks = new List<JsonObject>();
        foreach (var block in reply.Blocks)
        {
            blocks.AddRange(RenderBlock(block));
        }

        var text = Fallback(reply);
        if (blocks.Count == 0)
        {
            return [];
        }

        return blocks.Chunk(MaxBlocksPerMessage).Select(chunk => new SlackMessage(new JsonArray(chunk.Cast<JsonNode>().ToArray()), text)).ToList();
    }

    /// <summary>A modal for a form: callback_id is the form id; each input's block and action id are the field id.</summary>
    public static JsonObject RenderModal(FormBlock form) => new()
    {
        ["type"] = "modal",
        ["callback_id"] = form.FormId,
        ["title"] = Plain(Cut(form.Title, 24)),
        ["submit"] = Plain(Cut(form.SubmitLabel, 24)),
        ["close"] = Plain("Cancel"),
        ["blocks"] = new JsonArray(form.Fields.Select(f => (JsonNode)new JsonObject
        {
            ["type"] = "input",
            ["block_id"] = f.Id,
            ["optional"] = !f.Required,
            ["label"] = Plain(Cut(f.Label, 2000)),
            ["element"] = new JsonObject
            {
                ["type"] = "plain_text_input",
                ["action_id"] = f.Id,
                ["multiline"] = f.Multiline,
                ["max_length"] = Math.Clamp(f.MaxLength, 1, 3000),
            },
        }).ToArray()),
    };

    /// <summary>Core markdown (**bold**, "- " lists) to Slack mrkdwn, with &amp;, &lt; and &gt; escaped.</summary>
    public static string ToMrkdwn(string body)
    {
        var escaped = Escape(body);
        var bold = BoldPattern().Replace(escaped, m => "*" + m.Groups[1].Value + "*");
        return BulletPattern().Replace(bold, m => m.Groups[1].Value + "• ");
    }

    public static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Splits text into pieces of at most <paramref name="max"/> characters, at line or word breaks where it can.</summary>
    public static IReadOnlyList<string> Split(string text, int max = MaxSectionText)
    {
        var parts = new List<string>();
        var rest = text;
        while (rest.Length > max)
        {
            var cut = rest.LastIndexOf('\n', max - 1);
            if (cut < max / 2)
            {
                cut = rest.LastIndexOf(' ', max - 1);
            }

            if (cut < max / 2)
            {
                cut = max;
                // Never split a surrogate pair.
                if (char.IsHighSurrogate(rest[cut - 1]))
                {
                    cut--;
                }
            }

            parts.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart('\n', ' ');
        }

        if (rest.Length > 0 || parts.Count == 0)
        {
            parts.Add(rest);
        }

        return parts;
    }

    private static IEnumerable<JsonObject> RenderBlock(Block block) => block switch
    {
        TextBlock text => RenderText(text),
        ButtonsBlock buttons => RenderButtons(buttons),
        SelectBlock { Multiple: true } select => RenderMultiSelect(select),
        SelectBlock select => [RenderSingleSelect(select)],
        _ => [],
    };

    private static IEnumerable<JsonObject> RenderText(TextBlock text)
    {
        var body = ToMrkdwn(text.Body);
        if (text.Heading is not null)
        {
            body = "*" + Escape(text.Heading) + "*\n" + body;
        }

        return Split(body).Where(p => p.Length > 0).Select(Section);
    }

    private static IEnumerable<JsonObject> RenderButtons(ButtonsBlock buttons) =>
        buttons.Buttons.Chunk(25).Select(chunk => new JsonObject
        {
            ["type"] = "actions",
            ["elements"] = new JsonArray(chunk.Select(b => (JsonNode)Button(b.ActionId, b.Label, b.Style)).ToArray()),
        });

    private static JsonObject RenderSingleSelect(SelectBlock select) => new()
    {
        ["type"] = "actions",
        ["block_id"] = GroupPrefix + select.ActionId,
        ["elements"] = new JsonArray(new JsonObject
        {
            ["type"] = "static_select",
            ["action_id"] = select.ActionId,
            ["placeholder"] = Plain(Cut(select.Placeholder, 150)),
            ["options"] = new JsonArray(select.Options.Take(100).Select(o => (JsonNode)Option(o.Value, o.Label)).ToArray()),
        }),
    };

    // Checkbox labels hold 75 characters and a group 10 options, so the full wording is listed as numbered text and each
    // box carries its number and the start of the wording. A "done" button reads every group's ticks at once.
    private static IEnumerable<JsonObject> RenderMultiSelect(SelectBlock select)
    {
        // Slack checkboxes have no placeholder, so the instruction heads the list instead.
        var list = new StringBuilder().AppendLine(select.Placeholder);
        for (var i = 0; i < select.Options.Count; i++)
        {
            list.Append(i + 1).Append(". ").AppendLine(select.Options[i].Label);
        }

        foreach (var part in Split(ToMrkdwn(list.ToString().TrimEnd())))
        {
            yield return Section(part);
        }

        var group = 0;
        foreach (var chunk in select.Options.Select((o, i) => (Option: o, Number: i + 1)).Chunk(MaxCheckboxOptions))
        {
            yield return new JsonObject
            {
                ["type"] = "actions",
                ["block_id"] = $"{GroupPrefix}{select.ActionId}/{group++}",
                ["elements"] = new JsonArray(new JsonObject
                {
                    ["type"] = "checkboxes",
                    ["action_id"] = select.ActionId,
                    ["options"] = new JsonArray(chunk.Select(c => (JsonNode)Option(c.Option.Value, $"{c.Number}. {c.Option.Label}")).ToArray()),
                }),
            };
        }

        yield return new JsonObject
        {
            ["type"] = "actions",
            ["elements"] = new JsonArray(Button(DonePrefix + select.ActionId, select.DoneLabel ?? DefaultDoneLabel, ButtonStyle.Primary)),
        };
    }

    private static string Fallback(Reply reply)
    {
        var text = reply.PlainText.Replace("**", "", StringComparison.Ordinal);
        return Cut(Escape(text.Length > 0 ? text : "SupportBot"), MaxSectionText);
    }

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn },
    };

    private static JsonObject Button(string actionId, string label, ButtonStyle style)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = actionId,
            ["text"] = Plain(Cut(label, MaxOptionLabel)),
        };
        if (style != ButtonStyle.Secondary)
        {
            button["style"] = style == ButtonStyle.Primary ? "primary" : "danger";
        }

        return button;
    }

    private static JsonObject Option(string value, string label) => new()
    {
        ["text"] = Plain(Cut(label, MaxOptionLabel)),
        ["value"] = value,
    };

    private static JsonObject Plain(string text) => new() { ["type"] = "plain_text", ["text"] = text.Length > 0 ? text : " " };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)].TrimEnd() + "…";

    [GeneratedRegex(@"\*\*(.+?)\*\*", RegexOptions.Singleline)]
    private static partial Regex BoldPattern();

    [GeneratedRegex(@"(?m)^(\s*)- ")]
    private static partial Regex BulletPattern();
}
