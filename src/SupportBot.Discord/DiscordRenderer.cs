using SupportBot.Core;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>One Discord message of a rendered reply: text and up to five action rows.</summary>
internal sealed record RenderedMessage(string Content, IReadOnlyList<WireComponent> Rows);

/// <summary>
/// Turns the core's UI model into Discord messages and components (v1: action rows of buttons and string selects)
/// and forms into modals. Discord's limits are applied here so the core never has to know them.
/// </summary>
internal static class DiscordRenderer
{
    public const int MaxContent = 2000;
    private const int MaxRows = 5;
    private const int MaxButtonsPerRow = 5;
    private const int MaxSelectOptions = 25;

    /// <summary>
    /// The messages for a reply: text split at 2000 characters (on a line break where one is near), components
    /// on the last message, and further messages when there are more than five rows.
    /// </summary>
    public static IReadOnlyList<RenderedMessage> Render(Reply reply)
    {
        // Paragraphs joined once at the end: a builder grew chunk by chunk and then copied the whole text again.
        var paragraphs = new List<string>(reply.Blocks.Count);
        var rows = new List<WireComponent>();
        foreach (var block in reply.Blocks)
        {
            switch (block)
            {
                case TextBlock t:
                    paragraphs.Add(t.Heading is null ? t.Body : $"**{t.Heading}**\n{t.Body}");
                    break;
                case ButtonsBlock b:
                    foreach (var chunk in b.Buttons.Chunk(MaxButtonsPerRow))
                    {
                        rows.Add(new WireComponent(ComponentType.ActionRow, Components: chunk.Select(Button).ToList()));
                    }

                    break;
                case SelectBlock s:
                    rows.Add(new WireComponent(ComponentType.ActionRow, Components: [Select(s)]));
                    break;
                case FormBlock f:
                    // A form in a plain message cannot open a modal; name it so the reader knows what is asked.
                    paragraphs.Add($"**{f.Title}**");
                    break;
            }
        }

        // Empty paragraphs before the first text add no separator, as the builder did; later ones keep theirs.
        var chunks = Split(string.Join("\n\n", paragraphs.SkipWhile(p => p.Length == 0)));
        var messages = chunks.Select(c => new RenderedMessage(c, [])).ToList();
        var rowGroups = rows.Chunk(MaxRows).ToList();
        if (rowGroups.Count > 0)
        {
            messages[^1] = messages[^1] with { Rows = rowGroups[0] };
            messages.AddRange(rowGroups.Skip(1).Select(g => new RenderedMessage("", g)));
        }

        return messages.Where(m => m.Content.Length > 0 || m.Rows.Count > 0).ToList();
    }

    public static FormBlock? FindForm(Reply reply) => reply.Blocks.OfType<FormBlock>().FirstOrDefault();

    public static MessageBody Modal(FormBlock form) => new(
        CustomId: form.FormId,
        Title: Cut(form.Title, 45),
        Components: form.Fields.Take(5).Select(f => new WireComponent(ComponentType.Label,
            Label: Cut(f.Label, 45),
            Component: new WireComponent(ComponentType.TextInput,
                CustomId: f.Id,
                Style: f.Multiline ? 2 : 1,
                Required: f.Required,
                MaxLength: Math.Clamp(f.MaxLength, 1, 4000)))).ToList());

    public static MessageBody Body(RenderedMessage message, bool ephemeral) => new(
        Content: message.Content,
        Flags: ephemeral ? MessageFlags.Ephemeral : null,
        Components: message.Rows,
        AllowedMentions: AllowedMentions.None);

    internal static IReadOnlyList<string> Split(string text)
    {
        if (text.Length <= MaxContent)
        {
            // Most replies: the text itself, not a copy of it.
            return [text];
        }

        var parts = new List<string>();
        var rest = text.AsSpan();
        while (rest.Length > MaxContent)
        {
            var window = rest[..MaxContent];
            var cut = window.LastIndexOf('\n');
            if (cut < MaxContent / 2)
            {
                cut = window.LastIndexOf(' ');
            }

            if (cut < MaxContent / 2)
            {
                cut = MaxContent;
            }

            parts.Add(rest[..cut].TrimEnd().ToString());
            rest = rest[cut..].TrimStart();
        }

        parts.Add(rest.ToString());
        return parts;
    }

    private static WireComponent Button(Core.Button button) => new(ComponentType.Button,
        CustomId: button.ActionId,
        Style: button.Style switch
        {
            ButtonStyle.Primary => 1,
            ButtonStyle.Danger => 4,
            _ => 2,
        },
        Label: Cut(button.Label, 80));

    private static WireComponent Select(SelectBlock select)
    {
        var options = select.Options.Take(MaxSelectOptions)
            .Select(o => new WireSelectOption(Cut(o.Label, 100), o.Value, o.Description is null ? null : Cut(o.Description, 100)))
            .ToList();
        return new WireComponent(ComponentType.StringSelect,
            CustomId: select.ActionId,
            Placeholder: select.Placeholder.Length > 0 ? Cut(select.Placeholder, 150) : null,
            MinValues: select.Multiple ? 0 : 1,
            MaxValues: select.Multiple ? options.Count : 1,
            Options: options);
    }

    /// <summary>The text within Discord's limit for the field, with an ellipsis when it was longer.</summary>
    internal static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
