namespace SupportBot.Core.Storage;

/// <summary>An <see cref="Inbound"/> flattened for the inbox, whatever its kind.</summary>
internal sealed record StoredInbound(
    string Kind,
    string Address,
    string DisplayName,
    bool IsVolunteer,
    string EventId,
    string? Name = null,
    IReadOnlyList<string>? Args = null,
    string? Text = null,
    IReadOnlyDictionary<string, string>? Fields = null,
    bool IsCoordinator = false)
{
    public static StoredInbound From(Inbound inbound)
    {
        var actor = inbound.Actor;
        var stored = new StoredInbound("", actor.Address.ToString(), actor.DisplayName, actor.IsVolunteer, inbound.EventId, IsCoordinator: actor.IsCoordinator);
        return inbound switch
        {
            SlashCommand c => stored with { Kind = "command", Name = c.Name, Args = c.Args },
            DirectMessage m => stored with { Kind = "message", Text = m.Text },
            ActionInvoked a => stored with { Kind = "action", Name = a.ActionId, Args = a.Values },
            FormSubmitted f => stored with { Kind = "form", Name = f.FormId, Fields = f.Fields },
            _ => throw new ArgumentException($"No stored form for {inbound.GetType().Name}.", nameof(inbound)),
        };
    }

    public Inbound ToInbound()
    {
        var actor = new Actor(SupportBot.Core.Address.Parse(Address), DisplayName, IsVolunteer) { IsCoordinator = IsCoordinator };
        return Kind switch
        {
            "command" => new SlashCommand(actor, EventId, Name!, Args ?? []),
            "message" => new DirectMessage(actor, EventId, Text!),
            "action" => new ActionInvoked(actor, EventId, Name!, Args ?? []),
            "form" => new FormSubmitted(actor, EventId, Name!, Fields ?? new Dictionary<string, string>()),
            _ => throw new InvalidOperationException($"Unknown stored kind '{Kind}'."),
        };
    }
}
