using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using SupportBot.Core.Commands;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Core;

/// <summary>
/// The only way into the core: an adapter hands over an inbound event and gets back the replies to deliver.
/// It drops redelivered events (invariant 9), turns bad input into a clear answer (invariant 10) and never
/// lets a handler's failure escape as a crash.
/// </summary>
public sealed partial class Bot
{
    /// <summary>Longest text accepted in one message; longer ones are refused with a clear answer, never cut.</summary>
    public const int MaxTextLength = 4000;

    /// <summary>Handlings of a stored event while the database fails it before it is let go for a later takeover.</summary>
    private const int HandlingAttempts = 3;

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<string, ISlashCommand> _commands;
    private readonly Dictionary<string, IActionHandler> _actions;
    private readonly Dictionary<string, IFormHandler> _forms;
    private readonly Intake _intake;
    private readonly Relay _relay;
    private readonly ComplaintCompanion _companion;
    private readonly InboxStore _inbox;
    private readonly OutboxStore _outbox;
    private readonly Messages _messages;
    private readonly ILogger<Bot> _logger;
    private readonly ActorLocks _locks = new();
    private readonly RecentEvents _recent = new();
    private readonly RecentEvents _toldKept = new() { Max = 10_000 };
    private readonly Lock _recentLock = new();
    private readonly ConcurrentDictionary<Platform, Replayer> _replayers = new();

    public Bot(
        IEnumerable<ISlashCommand> commands,
        IEnumerable<IActionHandler> actions,
        IEnumerable<IFormHandler> forms,
        Intake intake,
        Relay relay,
        ComplaintCompanion companion,
        InboxStore inbox,
        OutboxStore outbox,
        ContentCatalog content,
        ILogger<Bot> logger)
    {
        _commands = commands.ToDictionary(c => c.Spec.Name, StringComparer.OrdinalIgnoreCase);
        _actions = actions.ToDictionary(a => a.Prefix, StringComparer.Ordinal);
        _forms = forms.ToDictionary(f => f.Prefix, StringComparer.Ordinal);
        _intake = intake;
        _relay = relay;
        _companion = companion;
        _inbox = inbox;
        _outbox = outbox;
        _messages = content.Messages;
        _logger = logger;
        Commands = _commands.Values.Select(c => c.Spec).OrderBy(s => s.ForVolunteers).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every command, for platform registration and /help.</summary>
    public IReadOnlyList<CommandSpec> Commands { get; }

    /// <summary>
    /// Accepts the event (<see cref="AcceptAsync"/>) and handles it (<see cref="HandleAcceptedAsync"/>), for adapters that
    /// need not acknowledge before the answer. A storage failure is answered, never thrown.
    /// </summary>
    public async Task<IReadOnlyList<Reply>> HandleAsync(Inbound inbound, CancellationToken ct) => await HandleOnceAsync(inbound, ct) ?? [];

    /// <summary>
    /// As <see cref="HandleAsync"/>, but null for an event taken in before (a redelivery, a resumed session's replay):
    /// it had its answer then, and a platform that allows one answer per event refuses a second.
    /// </summary>
    public async Task<IReadOnlyList<Reply>?> HandleOnceAsync(Inbound inbound, CancellationToken ct)
    {
        using (await _locks.EnterAsync(inbound.Actor.Address, ct))
        {
            if (ChangesState(inbound))
            {
                return await TakeInAndHandleAsync(inbound, ct);
            }

            if (!Remember(inbound.EventId))
            {
                LogDuplicate(inbound.Actor.Platform, inbound.GetType().Name);
                return null;
            }

            return await KeepForOthersAsync(inbound.Actor, await HandleInOrderAsync(inbound, justStored: true, ct));
        }
    }

    /// <summary>
    /// A state-changing event taken in and handled with one commit instead of two: the handling runs first, and its write
    /// carries the event's inbox row, inserted already handled (<see cref="InboxStore.TakingIn"/>), so the row and the work
    /// commit together or not at all. Nothing was acknowledged meanwhile: the caller answers the platform (or claims its
    /// sequence) only once this returns. The insert finding the event stored before (by any process) undoes the work: a
    /// repeat, null. A handling that wrote nothing then stores the row alone, handled; one whose write the database refused
    /// stores the words pending, as <see cref="AcceptAsync"/> does, and goes the stored way (tried again, then kept for a
    /// later takeover), so they are never lost. A storage failure before anything was stored is answered, as before.
    /// </summary>
    private async Task<IReadOnlyList<Reply>?> TakeInAndHandleAsync(Inbound inbound, CancellationToken ct)
    {
        IReadOnlyList<Reply> answer;
        Outcome outcome;
        bool marked;
        using (var taking = _inbox.TakingIn(inbound))
        {
            (answer, outcome) = await DispatchSafelyAsync(inbound, ct);
            marked = taking.Mark.IsCommitted;
        }

        if (outcome == Outcome.Duplicate)
        {
            return null;
        }

        if (!marked)
        {
            try
            {
                if (outcome == Outcome.StorageFailed)
                {
                    return await AcceptAsync(inbound, ct) == Acceptance.Duplicate
                        ? null
                        : await KeepForOthersAsync(inbound.Actor, await HandleInOrderAsync(inbound, justStored: true, ct));
                }

                if (!await _inbox.TakeInHandledAsync(inbound, ct))
                {
                    LogDuplicate(inbound.Actor.Platform, inbound.GetType().Name);
                    return null;
                }
            }
            catch (Exception e) when (StorageFault.Kind(e) is { } fault)
            {
                // The database is full, locked or unwritable: say so plainly, keep running, and let the next message try again.
                LogStorageFailed(fault, inbound.GetType().Name, inbound.Actor.Platform);
                return [Reply.Private(inbound.Actor, new TextBlock(_messages.StorageFailed))];
            }
        }

        return await KeepForOthersAsync(inbound.Actor, answer);
    }

    /// <summary>
    /// Takes an event in, once: one that can change state is stored in the inbox, sealed, and is durable when this
    /// returns; one that only answers is remembered in memory (<see cref="RecentEvents"/>) and touches no disk.
    /// A storage failure is thrown: the caller must then not acknowledge, so the platform sends it again.
    /// </summary>
    public async Task<Acceptance> AcceptAsync(Inbound inbound, CancellationToken ct)
    {
        if (ChangesState(inbound) ? await _inbox.AcceptAsync(inbound, ct) : Remember(inbound.EventId))
        {
            return Acceptance.Stored;
        }

        LogDuplicate(inbound.Actor.Platform, inbound.GetType().Name);
        return Acceptance.Duplicate;
    }

    /// <summary>
    /// Handles an event taken in by <see cref="AcceptAsync"/> (or found pending at start) once: a stored event already
    /// handled gives no replies. The handled mark commits with the event's write, in one transaction, so a replay after
    /// a crash never stores anything twice; an event that wrote nothing, or whose handler failed (the person was then
    /// told so), is marked afterwards. One the database kept failing before anything of it was stored is kept for
    /// another try (<see cref="KeepForLaterAsync"/>), never dropped.
    /// </summary>
    public async Task<IReadOnlyList<Reply>> HandleAcceptedAsync(Inbound inbound, CancellationToken ct)
    {
        using (await _locks.EnterAsync(inbound.Actor.Address, ct))
        {
            return await KeepForOthersAsync(inbound.Actor, await HandleInOrderAsync(inbound, justStored: false, ct));
        }
    }

    /// <summary>
    /// Stores the replies for people other than the actor (volunteer notices, relays) in the outbox before they go to
    /// the adapter, so that a process killed before delivering them leaves them to another process or the next start
    /// (see <see cref="OutboxStore"/>). The events that send such replies (a consent press, a survivor's message, a
    /// volunteer's relayed words, a snippet or confirmed message, a claim, a release, a close, a transfer's offer,
    /// acceptance or refusal, a survivor's /end or /forget, a block) stored theirs in the event's own write already
    /// (<see cref="OutboxStore.WriteAsync"/>), and are left alone here. For any other this follows the handler's own
    /// commit, which carries the handled mark: a kill in the milliseconds between the two would lose these replies, as
    /// the event is not handled again. Not cancelled, as the work it follows is committed; a storage failure is logged
    /// and the replies are delivered as they are.
    /// </summary>
    private async Task<IReadOnlyList<Reply>> KeepForOthersAsync(Actor actor, IReadOnlyList<Reply> replies)
    {
        try
        {
            return await _outbox.KeepAsync(actor, replies, CancellationToken.None);
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogOutboxFailed(fault, actor.Platform);
        }

        return replies;
    }

    /// <summary>
    /// Events of a platform stored but not handled before this start, oldest first, taken over for this process (see
    /// <see cref="InboxStore.TakeOverAsync"/>), to hand to <see cref="HandleAcceptedAsync"/>.
    /// </summary>
    public Task<IReadOnlyList<Inbound>> PendingAsync(Platform platform, CancellationToken ct) => _inbox.TakeOverAsync(platform, atStart: true, ct);

    /// <summary>
    /// Hands every event of a platform stored but not handled before the last stop to its person's lane, before the
    /// adapter receives anything new, and from then on lets <see cref="TakeOverExpiredAsync"/> hand it the events
    /// another process leased and left (it died). Reading them failing is logged, not thrown: they stay stored.
    /// </summary>
    public async Task ReplayPendingAsync(Platform platform, PersonLanes lanes, Func<Inbound, CancellationToken, Task> handle, CancellationToken ct)
    {
        var replayer = new Replayer(platform, lanes, handle);
        _replayers[platform] = replayer;
        await ReplayAsync(replayer, atStart: true, ct);
    }

    /// <summary>
    /// Takes over the events whose lease ran out, for every platform this process receives, and hands each to its
    /// person's lane: what a process that died (or stalled past its lease) left. Run periodically by <see cref="InboxLeases"/>.
    /// </summary>
    public async Task TakeOverExpiredAsync(CancellationToken ct)
    {
        foreach (var replayer in _replayers.Values)
        {
            await ReplayAsync(replayer, atStart: false, ct);
        }
    }

    private async Task ReplayAsync(Replayer replayer, bool atStart, CancellationToken ct)
    {
        IReadOnlyList<Inbound> pending;
        try
        {
            pending = await _inbox.TakeOverAsync(replayer.Platform, atStart, ct);
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogReplayFailed(fault, replayer.Platform);
            return;
        }

        foreach (var inbound in pending)
        {
            _ = replayer.Lanes.Enqueue(inbound.Actor.Address, laneCt => replayer.Handle(inbound, laneCt));
        }

        if (pending.Count > 0)
        {
            if (atStart)
            {
                LogReplaying(pending.Count, replayer.Platform);
            }
            else
            {
                LogTakenOver(pending.Count, replayer.Platform);
            }
        }
    }

    private async Task<IReadOnlyList<Reply>> HandleInOrderAsync(Inbound inbound, bool justStored, CancellationToken ct)
    {
        if (!ChangesState(inbound))
        {
            var (replies, answered) = await DispatchSafelyAsync(inbound, ct);
            if (answered != Outcome.Done)
            {
                // Forget the id so the platform's retry gets another chance.
                _recent.Remove(inbound.EventId);
            }

            return replies;
        }

        try
        {
            if (!justStored && !await _inbox.IsPendingAsync(inbound.EventId, ct))
            {
                LogDuplicate(inbound.Actor.Platform, inbound.GetType().Name);
                return [];
            }
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogStorageFailed(fault, inbound.GetType().Name, inbound.Actor.Platform);
            return [Reply.Private(inbound.Actor, new TextBlock(_messages.StorageFailed))];
        }

        IReadOnlyList<Reply> answer;
        Outcome outcome;
        bool marked;
        for (var attempt = 1; ; attempt++)
        {
            using (var handling = _inbox.Handling(inbound.EventId))
            {
                (answer, outcome) = await DispatchSafelyAsync(inbound, ct);
                marked = handling.Mark.IsCommitted;
            }

            // The event is safe in the inbox and none of its work was stored: handling it again cannot store anything twice.
            if (outcome != Outcome.StorageFailed || marked || attempt == HandlingAttempts)
            {
                break;
            }

            await Task.Delay(RetryPause * attempt, ct);
        }

        if (outcome == Outcome.StorageFailed && !marked)
        {
            return await KeepForLaterAsync(inbound);
        }

        if (!marked)
        {
            try
            {
                await _inbox.MarkHandledAsync(inbound.EventId, CancellationToken.None);
            }
            catch (Exception e) when (StorageFault.Kind(e) is { } fault)
            {
                // Nothing of this event was stored; at the next start it is handled again.
                LogMarkFailed(fault, inbound.Actor.Platform);
            }
        }

        return answer;
    }

    /// <summary>
    /// A stored event whose handling the database kept failing, with nothing of it stored: its words are in the inbox
    /// and the platform was told they arrived, so it is never dropped. It is let go for the next takeover (this process's
    /// or another's) to handle again; the person is told that it is kept, not asked to send it again, once (every few
    /// minutes at most while the database keeps failing).
    /// </summary>
    private async Task<IReadOnlyList<Reply>> KeepForLaterAsync(Inbound inbound)
    {
        try
        {
            await _inbox.RetryLaterAsync(inbound.EventId, CancellationToken.None);
            LogKeptForLater(inbound.Actor.Platform, inbound.GetType().Name);
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            // Still leased to this process: handled again at its next start, or by another once this one is gone.
            LogKeptUntilRestart(fault, inbound.Actor.Platform, inbound.GetType().Name);
        }

        return _toldKept.TryAdd(inbound.EventId) ? [Reply.Private(inbound.Actor, new TextBlock(_messages.StorageDelayed))] : [];
    }

    /// <summary>The handler's replies, or a plain answer when it failed; never throws but for cancellation.</summary>
    private async Task<(IReadOnlyList<Reply> Replies, Outcome Outcome)> DispatchSafelyAsync(Inbound inbound, CancellationToken ct)
    {
        try
        {
            return (await DispatchAsync(inbound, ct), Outcome.Done);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (EventAlreadyHandledException)
        {
            // Another process took the event over and finished it first (or, taken in and handled at once, it was stored
            // before): its answer went out, this one's work was undone.
            LogDuplicate(inbound.Actor.Platform, inbound.GetType().Name);
            return ([], Outcome.Duplicate);
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogHandlingStorageFailed(fault, inbound.GetType().Name, inbound.Actor.Platform);
            return ([Reply.Private(inbound.Actor, new TextBlock(_messages.StorageFailed))], Outcome.StorageFailed);
        }
        catch (Exception e)
        {
            LogHandlerFailed(e, inbound.GetType().Name, inbound.Actor.Platform);
            return ([Reply.Private(inbound.Actor, new TextBlock(_messages.SomethingWentWrong))], Outcome.Failed);
        }
    }

    /// <summary>True the first time a read-only event's id is seen; atomic, as deliveries of one id may race.</summary>
    private bool Remember(string eventId)
    {
        lock (_recentLock)
        {
            return _recent.TryAdd(eventId);
        }
    }

    /// <summary>Whether the event may store something; one that only answers is deduplicated in memory (<see cref="RecentEvents"/>).</summary>
    private bool ChangesState(Inbound inbound) => inbound switch
    {
        SlashCommand command => !_commands.TryGetValue(command.Name.TrimStart('/'), out var handler) || handler.Spec.ChangesState,
        ActionInvoked action => !TrySplit(action.ActionId, out var prefix, out _) || !_actions.TryGetValue(prefix, out var handler) || handler.ChangesState,
        _ => true,
    };

    private Task<IReadOnlyList<Reply>> DispatchAsync(Inbound inbound, CancellationToken ct) => inbound switch
    {
        SlashCommand command => RunCommandAsync(command, ct),
        DirectMessage message => HandleDirectMessageAsync(message, ct),
        ActionInvoked action => HandleActionAsync(action, ct),
        FormSubmitted form => HandleFormAsync(form, ct),
        _ => Task.FromResult<IReadOnlyList<Reply>>([]),
    };

    private async Task<IReadOnlyList<Reply>> RunCommandAsync(SlashCommand command, CancellationToken ct)
    {
        var name = command.Name.TrimStart('/');
        if (!_commands.TryGetValue(name, out var handler))
        {
            LogRejected(command.Actor.Platform, "unknown command");
            return [Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(_messages.UnknownCommand, ("Command", Shorten(name)))))];
        }

        if (command.Args.Sum(a => a.Length) > MaxTextLength)
        {
            return [Reply.Private(command.Actor, new TextBlock(MessageTemplate.Fill(_messages.TooLong, ("Limit", MaxTextLength))))];
        }

        if (handler.Spec.ForVolunteers && !command.Actor.IsVolunteer)
        {
            return [Reply.Private(command.Actor, new TextBlock(_messages.NotVolunteer))];
        }

        return await handler.RunAsync(command with { Name = name }, ct);
    }

    private async Task<IReadOnlyList<Reply>> HandleDirectMessageAsync(DirectMessage message, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(message.Text))
        {
            return [];
        }

        if (message.Text.Length > MaxTextLength)
        {
            return [Reply.DirectTo(message.Actor.Address, new TextBlock(MessageTemplate.Fill(_messages.TooLong, ("Limit", MaxTextLength))))];
        }

        if (message.Actor.IsVolunteer && await _relay.IsRelayingAsync(message.Actor, ct))
        {
            return await _relay.FromVolunteerAsync(message, ct);
        }

        // A complaint companion waiting for a written answer takes the message; it never reaches volunteers.
        // A volunteer holding nothing is told so, rather than being taken through a survivor's intake.
        return await _companion.TryAnswerAsync(message, ct)
            ?? (message.Actor.IsVolunteer ? await _relay.HoldingNothingAsync(message.Actor, ct) : null)
            ?? await _intake.HandleAsync(message, ct);
    }

    private async Task<IReadOnlyList<Reply>> HandleActionAsync(ActionInvoked action, CancellationToken ct)
    {
        if (!TrySplit(action.ActionId, out var prefix, out var args) || !_actions.TryGetValue(prefix, out var handler)
            || action.Values.Count > 50 || action.Values.Any(v => v.Length > 100))
        {
            LogRejected(action.Actor.Platform, "unknown or malformed action id");
            return [Reply.Private(action.Actor, new TextBlock(_messages.UnknownAction))];
        }

        return await handler.HandleAsync(action, args, ct);
    }

    private async Task<IReadOnlyList<Reply>> HandleFormAsync(FormSubmitted form, CancellationToken ct)
    {
        if (!TrySplit(form.FormId, out var prefix, out var args) || !_forms.TryGetValue(prefix, out var handler))
        {
            LogRejected(form.Actor.Platform, "unknown or malformed form id");
            return [Reply.Private(form.Actor, new TextBlock(_messages.UnknownAction))];
        }

        if (form.Fields.Values.Sum(v => v.Length) > MaxTextLength)
        {
            return [Reply.Private(form.Actor, new TextBlock(MessageTemplate.Fill(_messages.TooLong, ("Limit", MaxTextLength))))];
        }

        return await handler.HandleAsync(form, args, ct);
    }

    /// <summary>Action ids are short, lower-case and colon separated; anything else was not made by this bot.</summary>
    private static bool TrySplit(string id, out string prefix, out IReadOnlyList<string> args)
    {
        prefix = "";
        args = [];
        if (id.Length is 0 or > 100 || !ActionIdPattern().IsMatch(id))
        {
            return false;
        }

        var parts = id.Split(':');
        prefix = parts[0];
        args = parts[1..];
        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex("^[a-z0-9]+(:[a-z0-9._-]*)*$")]
    private static partial Regex ActionIdPattern();

    // The event id is left out on purpose: a platform's fallback id can hold the user id.
    [LoggerMessage(Level = LogLevel.Error, Message = "Taking over stored {Platform} events failed ({Fault}); they stay stored for the next try")]
    private partial void LogReplayFailed(string fault, Platform platform);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handling {Count} {Platform} events stored before the last stop")]
    private partial void LogReplaying(int count, Platform platform);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took over {Count} {Platform} events whose lease ran out (the process that took them in stopped or stalled)")]
    private partial void LogTakenOver(int count, Platform platform);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored a repeated {Platform} event ({Kind})")]
    private partial void LogDuplicate(Platform platform, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {Platform} input: {Reason}")]
    private partial void LogRejected(Platform platform, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage failed ({Fault}) while handling a {Kind} from {Platform}; the person was asked to send it again")]
    private partial void LogStorageFailed(string fault, string kind, Platform platform);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage failed ({Fault}) while marking a {Platform} event handled that stored nothing; it is handled again at the next start")]
    private partial void LogMarkFailed(string fault, Platform platform);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing the notices and relays of a {Platform} event in the outbox failed ({Fault}); they are delivered without it")]
    private partial void LogOutboxFailed(string fault, Platform platform);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a {Kind} from {Platform} failed")]
    private partial void LogHandlerFailed(Exception exception, string kind, Platform platform);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage failed ({Fault}) while handling a {Kind} from {Platform}")]
    private partial void LogHandlingStorageFailed(string fault, string kind, Platform platform);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Kind} from {Platform} is kept in the inbox after storage failures and will be handled again at the next takeover")]
    private partial void LogKeptForLater(Platform platform, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage failed ({Fault}) while letting a {Kind} from {Platform} go for another try; it stays stored and is handled at the next start")]
    private partial void LogKeptUntilRestart(string fault, Platform platform, string kind);

    private enum Outcome
    {
        Done,
        Failed,
        StorageFailed,

        /// <summary>The event's mark found it handled (or stored) already; the work was undone.</summary>
        Duplicate,
    }

    /// <summary>How a platform's adapter handles a stored event: into which lanes, by which function.</summary>
    private sealed record Replayer(Platform Platform, PersonLanes Lanes, Func<Inbound, CancellationToken, Task> Handle);
}
