using System.Text.Json.Serialization;

namespace SupportBot.Core;

/// <summary>Who may see a reply. (The JSON attributes let the outbox store a reply to deliver later.)</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(OnlyActor), "actor")]
[JsonDerivedType(typeof(Direct), "direct")]
[JsonDerivedType(typeof(Volunteers), "volunteers")]
public abstract record Audience
{
    private Audience()
    {
    }

    /// <summary>Only the person who caused the event, in place (Discord ephemeral, Slack ephemeral).</summary>
    public sealed record OnlyActor(Address User) : Audience;

    /// <summary>A direct message to a user, on that user's platform.</summary>
    public sealed record Direct(Address User) : Audience;

    /// <summary>The private volunteer channel of every platform that has one.</summary>
    public sealed record Volunteers : Audience
    {
        public static Volunteers Channel { get; } = new();
    }
}

/// <summary>
/// One message in the platform-neutral UI model. <see cref="ReplacesOriginal"/> asks the adapter to update the
/// message whose button was pressed instead of posting a new one, where the platform can.
/// </summary>
public sealed record Reply(Audience Audience, IReadOnlyList<Block> Blocks, bool ReplacesOriginal = false)
{
    /// <summary>
    /// Set on a reply stored in the outbox: a random key of its own, kept with it, so every delivery of it (after a kill,
    /// by another process) carries the same one. A platform that drops a message repeating a recent key (Discord's
    /// nonce with enforce_nonce) then shows a reply the bot sent twice only once. Null for a reply not stored.
    /// </summary>
    public string? Nonce { get; init; }

    /// <summary>
    /// Taken over from the outbox (<see cref="Storage.OutboxStore.TakeOverAsync"/>): the process that stored it may have
    /// delivered it before it was killed, between the send and the row's delete. A platform without a nonce of its own
    /// (Slack) looks for <see cref="Nonce"/> among the channel's recent messages before sending it. Never stored.
    /// </summary>
    [JsonIgnore]
    public bool TakenOver { get; init; }

    public static Reply Private(Actor actor, params Block[] blocks) => new(new Audience.OnlyActor(actor.Address), blocks);

    public static Reply DirectTo(Address user, params Block[] blocks) => new(new Audience.Direct(user), blocks);

    public static Reply ToVolunteers(params Block[] blocks) => new(Audience.Volunteers.Channel, blocks);

    /// <summary>All the plain text of the reply, for adapters that need a notification fallback.</summary>
    [JsonIgnore]
    public string PlainText => string.Join("\n\n", Blocks.Select(b => b switch
    {
        TextBlock t when t.Heading is null => t.Body,
        TextBlock t => $"{t.Heading}\n{t.Body}",
        _ => null,
    }).Where(s => s is not null));
}

/// <summary>A piece of a reply. Adapters render each kind to their platform's components.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(TextBlock), "text")]
[JsonDerivedType(typeof(ButtonsBlock), "buttons")]
[JsonDerivedType(typeof(SelectBlock), "select")]
[JsonDerivedType(typeof(FormBlock), "form")]
public abstract record Block;

/// <summary>Text with an optional heading. Bodies use a small markdown subset: **bold**, line breaks and "- " lists.</summary>
public sealed record TextBlock(string Body, string? Heading = null) : Block;

/// <summary>A row of buttons.</summary>
public sealed record ButtonsBlock(IReadOnlyList<Button> Buttons) : Block;

public enum ButtonStyle
{
    Secondary,
    Primary,
    Danger,
}

/// <summary>A button. <see cref="ActionId"/> comes back in <see cref="ActionInvoked"/>; it never carries a secret.</summary>
public sealed record Button(string ActionId, string Label, ButtonStyle Style = ButtonStyle.Secondary);

/// <summary>
/// A single or multi select. Choosing sends <see cref="ActionInvoked"/> with <see cref="ActionId"/> and the chosen
/// values. <see cref="DoneLabel"/> names the button that submits a multi select on platforms where ticking a box
/// submits nothing by itself (Slack's checkboxes).
/// </summary>
public sealed record SelectBlock(string ActionId, string Placeholder, IReadOnlyList<SelectOption> Options, bool Multiple = false, string? DoneLabel = null)
    : Block;

public sealed record SelectOption(string Value, string Label, string? Description = null);

/// <summary>A form (a modal where the platform has one). Submitting sends <see cref="FormSubmitted"/>.</summary>
public sealed record FormBlock(string FormId, string Title, IReadOnlyList<FormField> Fields, string SubmitLabel) : Block;

public sealed record FormField(string Id, string Label, bool Multiline = true, bool Required = true, int MaxLength = 4000);
