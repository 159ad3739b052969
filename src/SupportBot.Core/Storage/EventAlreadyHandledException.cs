namespace SupportBot.Core.Storage;

/// <summary>
/// A write for an event being handled found the event already marked handled: another process took it over when this
/// one's lease ran out and finished first. The write was undone; the event counts as a repeat.
/// </summary>
public sealed class EventAlreadyHandledException : Exception
{
    public EventAlreadyHandledException()
        : base("The event was handled already; this handling's writes were undone.")
    {
    }

    public EventAlreadyHandledException(string message)
        : base(message)
    {
    }

    public EventAlreadyHandledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
