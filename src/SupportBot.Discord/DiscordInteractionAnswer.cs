using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// How far one interaction has been answered. Discord allows one initial response within 3 s, then edits of the
/// original and follow-ups; it drops an interaction left unanswered. The clock starts when the interaction
/// arrives: if the replies are not known after <see cref="DeferAfter"/>, the answer is deferred first, and the
/// replies then fill the deferred message. Whether an initial response (the answer or the deferral) still goes is
/// decided when a connection is free for it (<see cref="DiscordApi"/>): past the deadline (a burst's backlog, a
/// starved pool) none is sent, as Discord would refuse it, and a deferral the replies overtook is not sent either, so
/// an answer never costs two requests where one does.
/// </summary>
internal sealed partial class DiscordInteractionAnswer : IDisposable
{
    /// <summary>Discord drops an interaction not answered within 3 s; after this long the answer is deferred.</summary>
    internal static readonly TimeSpan DeferAfter = TimeSpan.FromSeconds(2);

    /// <summary>Discord's deadline for the first response, counted from the interaction's arrival.</summary>
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    private const int UnknownInteraction = 10062;
    private const int AlreadyAcknowledged = 40060;

    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(250);

    // Who makes the initial response while the replies are not known: nobody yet, a deferral being sent, or the replies.
    private const int Open = 0;
    private const int Deferring = 1;
    private const int Handled = 2;

    private readonly DiscordApi _api;
    private readonly TimeProvider _time;
    private readonly DiscordLateAnswers _late;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _handled = new();
    private readonly long _arrived;
    private readonly bool _replayed;
    private Task _deferral = Task.CompletedTask;
    private bool _answered;
    private bool _deferred;
    private bool _originalUsed;
    private bool _expired;
    private bool _deferredBefore;
    private int _state = Open;

    private DiscordInteractionAnswer(
        WireInteraction interaction, bool replayed, DiscordApi api, TimeProvider time, DiscordLateAnswers late, ILogger logger)
    {
        Interaction = interaction;
        _replayed = replayed;
        _time = time;
        _late = late;
        _arrived = time.GetTimestamp();
        _api = api;
        _logger = logger;
    }

    public WireInteraction Interaction { get; }

    /// <summary>
    /// Whether answers must be ephemeral: everywhere but the bot's own DM with the user, which is private already
    /// and where a survivor's "queued / End conversation" message must not vanish on reload. A user-installed app
    /// in a group DM (a private channel) has no guild either, and stays ephemeral.
    /// </summary>
    public bool Ephemeral => Interaction.GuildId is not null || Interaction.Context is not InteractionContextType.BotDm;

    private MessageFlags? Flags => Ephemeral ? MessageFlags.Ephemeral : null;

    private bool IsComponent => Interaction.Type == InteractionType.MessageComponent;

    /// <summary>A press may replace its message only when that message is private: ephemeral, or in the DM.</summary>
    private bool CanReplace => IsComponent && (!Ephemeral || Interaction.Message?.Flags?.HasFlag(MessageFlags.Ephemeral) == true);

    /// <summary>
    /// An initial response sent now would reach Discord past its deadline: its clock started before the gateway
    /// delivered the interaction, and the request takes its own trip, so the bot stops short of the full 3 s.
    /// </summary>
    private bool Late => _time.GetElapsedTime(_arrived) >= Deadline - Margin;

    /// <summary>
    /// Starts the clock for an interaction that just arrived; <paramref name="replayed"/> when Discord sent it again on a
    /// resume, after the process that first received it stopped.
    /// </summary>
    public static DiscordInteractionAnswer Start(
        WireInteraction interaction, bool replayed, DiscordApi api, TimeProvider time, DiscordLateAnswers late, ILogger logger, CancellationToken ct)
    {
        var answer = new DiscordInteractionAnswer(interaction, replayed, api, time, late, logger);
        answer._deferral = answer.DeferLaterAsync(ct);
        return answer;
    }

    /// <summary>
    /// The replies are known: they make the initial response themselves, unless a deferral is already being sent, which
    /// they then wait for and fill. A deferral still waiting for a connection is not sent (no exception, no request).
    /// </summary>
    public Task HandledAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Handled, Open) == Open)
        {
            // Cancelled on this thread: the only callback is the deferral's timer, which then ends at once (it sees the
            // state). CancelAsync handed that to the thread pool, one more hop for every interaction of a burst.
            _handled.Cancel();
            return Task.CompletedTask;
        }

        return _deferral;
    }

    /// <summary>Answers the actor in place: the initial response, the deferred message, or a follow-up.</summary>
    public async Task AnswerAsync(Reply reply, CancellationToken ct)
    {
        var interaction = Interaction;
        if (_expired)
        {
            return; // Without an initial response Discord takes no follow-up either.
        }

        if (DiscordRenderer.FindForm(reply) is { } form && !_answered && interaction.Type != InteractionType.ModalSubmit)
        {
            if (await InitialResponseAsync(new InteractionCallback(InteractionCallbackType.Modal, DiscordRenderer.Modal(form)), ct))
            {
                _answered = true;
            }
            return;
        }

        foreach (var message in DiscordRenderer.Render(reply))
        {
            if (!_answered)
            {
                var update = reply.ReplacesOriginal && CanReplace;
                var callback = new InteractionCallback(
                    update ? InteractionCallbackType.UpdateMessage : InteractionCallbackType.ChannelMessageWithSource,
                    DiscordRenderer.Body(message, ephemeral: !update && Ephemeral));
                if (await InitialResponseAsync(callback, ct))
                {
                    _answered = true;
                    _originalUsed = true;
                    continue;
                }

                if (!_deferredBefore)
                {
                    return;
                }
            }

            try
            {
                if (_deferred && !_originalUsed && (!IsComponent || (reply.ReplacesOriginal && CanReplace)))
                {
                    // Fill the "thinking…" message, or update the pressed message as the reply asks.
                    await _api.EditOriginalAsync(interaction.Token, DiscordRenderer.Body(message, ephemeral: false), ct);
                    _originalUsed = true;
                }
                else
                {
                    await _api.FollowUpAsync(interaction.Token, DiscordRenderer.Body(message, ephemeral: Ephemeral), ct);
                }

                _deferredBefore = false;
            }
            catch (DiscordApiException) when (_deferredBefore)
            {
                // Discord knows no message to fill after all: too late.
                _expired = true;
                _late.Add();
                return;
            }
        }
    }

    /// <summary>After the replies: a press that got no answer (a repeated press) is acknowledged, so the button stops spinning.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        if (!_answered && !_expired && IsComponent)
        {
            if (await InitialResponseAsync(new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage), ct))
            {
                _answered = true;
            }
        }
    }

    public void Dispose() => _handled.Dispose();

    /// <summary>Sends the initial response unless it is too late for one by the time a connection is free; false then.</summary>
    private async Task<bool> InitialResponseAsync(InteractionCallback callback, CancellationToken ct)
    {
        try
        {
            if (await _api.InteractionCallbackAsync(Interaction.Id, Interaction.Token, callback, () => !Late, ct))
            {
                return true;
            }
        }
        catch (DiscordApiException e) when (_replayed && e.Code == AlreadyAcknowledged)
        {
            // Sent again on a resume after the process that first received it deferred it and stopped: the deferred answer
            // can still be filled, for 15 minutes.
            _answered = _deferred = _deferredBefore = true;
            return false;
        }
        catch (DiscordApiException e) when (e.Code == UnknownInteraction)
        {
            // Discord's clock started before the interaction reached the bot (a gateway backlog): too late all the same.
        }

        _expired = true;
        _late.Add();
        return false;
    }

    private async Task DeferLaterAsync(CancellationToken ct)
    {
        // Not thrown: in a burst thousands of these end early, and thrown exceptions were a large share of the bot's time.
        await Task.Delay(DeferAfter, _time, _handled.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Volatile.Read(ref _state) != Open)
        {
            return; // answered in time
        }

        // Components keep their message until the answer is known; commands and forms show "thinking…".
        // A failed deferral costs the in-place answer, never the replies routed to others.
        var defer = IsComponent
            ? new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage)
            : new InteractionCallback(InteractionCallbackType.DeferredChannelMessageWithSource, new MessageBody(Flags: Flags));
        try
        {
            // Decided once a connection is free: by then the replies may have come, and they go as the initial response.
            if (!await _api.InteractionCallbackAsync(Interaction.Id, Interaction.Token, defer, TakeForDeferral, ct))
            {
                return;
            }

            _answered = true;
            _deferred = true;
            LogDeferred(Interaction.Type);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogDeferralFailed(DiscordApiException.KindOf(e));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>The deferral may go: in time, and the replies have not taken the initial response.</summary>
    private bool TakeForDeferral() => !Late && Interlocked.CompareExchange(ref _state, Deferring, Open) == Open;

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred a Discord interaction of type {Type}")]
    private partial void LogDeferred(InteractionType type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Discord deferral failed ({Kind})")]
    private partial void LogDeferralFailed(string kind);
}
