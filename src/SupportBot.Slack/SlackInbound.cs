using System.Net;
using System.Security.Cryptography;
using System.Text;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Slack.Wire;

namespace SupportBot.Slack;

/// <summary>
/// Wire → core: pure functions from Slack's payloads to the core's events. No I/O here; the <see cref="Actor"/>
/// (volunteer or not, display name) is looked up before, by <see cref="SlackActors"/>, and passed in.
/// </summary>
internal static class SlackInbound
{
    /// <summary>What an Events API callback is to the bot.</summary>
    internal enum EventKind
    {
        /// <summary>A person wrote to the bot in a DM.</summary>
        DirectMessage,

        /// <summary>Not someone writing to the bot: edits, deletions, bot posts (the bot's own included), anything outside a DM.</summary>
        Ignored,

        /// <summary>A plain DM message without an author or text: logged and dropped.</summary>
        Malformed,
    }

    public static EventKind Classify(EventCallback callback, string botUserId) => callback.Event switch
    {
        { Type: "message", ChannelType: "im", Subtype: null, BotId: null } m when string.IsNullOrEmpty(m.User) || m.Text is null => EventKind.Malformed,
        { Type: "message", ChannelType: "im", Subtype: null, BotId: null } m when m.User != botUserId => EventKind.DirectMessage,
        _ => EventKind.Ignored,
    };

    public static DirectMessage ToDirectMessage(EventCallback callback, Actor actor) =>
        new(actor, "slack:event:" + callback.EventId, Unescape(callback.Event!.Text!));

    /// <summary>
    /// A slash command, its text split by the command's spec (the last option takes the rest). The configured
    /// <paramref name="prefix"/> (Slack:CommandPrefix) is taken off the name, so /sb-claim runs claim.
    /// </summary>
    public static SlashCommand ToSlashCommand(SlashPayload command, Actor actor, IReadOnlyList<CommandSpec> commands, string prefix = "")
    {
        var name = CommandName(command, prefix);
        return new SlashCommand(actor, SlashEventId(command), name, CommandLine.Split(CommandLine.Find(commands, name), Unescape(command.Text ?? "")));
    }

    /// <summary>The bot's name for the command: without the slash and without the configured prefix.</summary>
    public static string CommandName(SlashPayload command, string prefix)
    {
        var name = command.Command!.TrimStart('/');
        return prefix.Length > 0 && name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            ? name[prefix.Length..]
            : name;
    }

    /// <summary>
    /// A key that is the same each time Slack delivers one invocation, so a redelivery is handled once: the
    /// trigger id, else a hash of the response_url (unique per invocation, and never stored or logged as is: it
    /// lets whoever has it answer), else a hash of who ran what where.
    /// </summary>
    public static string SlashEventId(SlashPayload command)
    {
        if (!string.IsNullOrEmpty(command.TriggerId))
        {
            return "slack:cmd:" + command.TriggerId;
        }

        var stable = !string.IsNullOrEmpty(command.ResponseUrl)
            ? command.ResponseUrl
            : string.Join('\n', command.UserId, command.ChannelId, command.Command, command.Text);
        return "slack:cmd:h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stable)))[..32];
    }

    /// <summary>block_actions and view_submission; null for other payloads, and for ticks that only count once "done" is pressed.</summary>
    public static Inbound? ToInbound(InteractivePayload payload, Actor actor) => payload.Type switch
    {
        "block_actions" => ToAction(actor, payload),
        "view_submission" => ToForm(actor, payload),
        _ => null,
    };

    /// <summary>Slack escapes &amp;, &lt; and &gt; in text it sends; the core wants the words as written.</summary>
    public static string Unescape(string text) => WebUtility.HtmlDecode(text);

    private static ActionInvoked? ToAction(Actor actor, InteractivePayload payload)
    {
        if (payload.Actions is not [var action, ..] || action.ActionId is not { } actionId)
        {
            return null;
        }

        var eventId = "slack:action:" + (payload.TriggerId ?? $"{actor.Address.UserId}:{action.ActionTs}");
        if (actionId.StartsWith(SlackRenderer.DonePrefix, StringComparison.Ordinal))
        {
            // The "done" button under a checklist: the ticks of every checkbox group are in the message state.
            var selectId = actionId[SlackRenderer.DonePrefix.Length..];
            var groupPrefix = SlackRenderer.GroupPrefix + selectId + "/";
            var values = (payload.State?.Values ?? new Dictionary<string, IReadOnlyDictionary<string, ElementState>>())
                .Where(b => b.Key.StartsWith(groupPrefix, StringComparison.Ordinal))
                .SelectMany(b => b.Value.TryGetValue(selectId, out var state) ? state.SelectedOptions ?? [] : [])
                .Select(o => o.Value ?? "")
                .Where(v => v.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            return new ActionInvoked(actor, eventId, selectId, values);
        }

        return action.Type switch
        {
            // Each tick is only remembered by Slack until "done" is pressed.
            "checkboxes" or "multi_static_select" => null,
            "static_select" => new ActionInvoked(actor, eventId, actionId, action.SelectedOption?.Value is { } v ? [v] : []),
            _ => new ActionInvoked(actor, eventId, actionId, []),
        };
    }

    private static FormSubmitted? ToForm(Actor actor, InteractivePayload payload)
    {
        if (payload.View?.CallbackId is not { } formId)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (blockId, elements) in payload.View.State?.Values ?? new Dictionary<string, IReadOnlyDictionary<string, ElementState>>())
        {
            if (elements.TryGetValue(blockId, out var state))
            {
                fields[blockId] = state.Value ?? state.SelectedOption?.Value ?? "";
            }
        }

        return new FormSubmitted(actor, "slack:view:" + (payload.TriggerId ?? payload.View.Id ?? Guid.NewGuid().ToString("N")), formId, fields);
    }
}
