using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// How far one interaction has been answered. Discord allows one initial response within 3 s, then edits of the
/// original and follow-ups; it drops an interaction left unanswered. The clock starts when the interaction
/// arrives: if the replies are not known after <see cref="DeferAfter"/>, the answer is deferred first, and the
/// replies then fill the deferred message. A deferral timer that fires past the deadline (a starved pool) sends none,
/// as Discord would refuse it.
/// </summary>
internal sealed partial class DiscordInteractionAnswer : IDisposable
{
    /// <summary>Discord drops an interaction not answered within 3 s; after this long the answer is deferred.</summary>
    internal static readonly TimeSpan DeferAfter = TimeSpan.FromSeconds(2);

    /// <summary>Discord's deadline for the first response, counted from the interaction's arrival.</summary>
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    private readonly DiscordApi _api;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _handled = new();
    private readonly long _arrived;
    private Task _deferral = Task.CompletedTask;
    private bool _answered;
    private bool _deferred;
    private bool _originalUsed;

    private DiscordInteractionAnswer(WireInteraction interaction, DiscordApi api, ILogger logger, long arrived)
    {
        Interaction = interaction;
        _arrived = arrived;
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

    /// <summary>Starts the clock for an interaction that just arrived.</summary>
    public static DiscordInteractionAnswer Start(WireInteraction interaction, DiscordApi api, TimeProvider time, ILogger logger, CancellationToken ct)
    {
        var answer = new DiscordInteractionAnswer(interaction, api, logger, time.GetTimestamp());
        answer._deferral = answer.DeferLaterAsync(time, ct);
        return answer;
    }

    /// <summary>The replies are known: stops the clock, and waits for a deferral already under way.</summary>
    public async Task HandledAsync()
    {
        await _handled.CancelAsync();
        await _deferral;
    }

    /// <summary>Answers the actor in place: the initial response, the deferred message, or a follow-up.</summary>
    public async Task AnswerAsync(Reply reply, CancellationToken ct)
    {
        var interaction = Interaction;
        if (DiscordRenderer.FindForm(reply) is { } form && !_answered && interaction.Type != InteractionType.ModalSubmit)
        {
            await CallbackAsync(new InteractionCallback(InteractionCallbackType.Modal, DiscordRenderer.Modal(form)), ct);
            _answered = true;
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
                await CallbackAsync(callback, ct);
                _answered = true;
                _originalUsed = true;
            }
            else if (_deferred && !_originalUsed && (!IsComponent || (reply.ReplacesOriginal && CanReplace)))
            {
                // Fill the "thinking…" message, or update the pressed message as the reply asks.
                await _api.EditOriginalAsync(interaction.Token, DiscordRenderer.Body(message, ephemeral: false), ct);
                _originalUsed = true;
            }
            else
            {
                await _api.FollowUpAsync(interaction.Token, DiscordRenderer.Body(message, ephemeral: Ephemeral), ct);
            }
        }
    }

    /// <summary>After the replies: a press that got no answer (a repeated press) is acknowledged, so the button stops spinning.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        if (!_answered && IsComponent)
        {
            await CallbackAsync(new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage), ct);
            _answered = true;
        }
    }

    public void Dispose() => _handled.Dispose();

    private Task CallbackAsync(InteractionCallback callback, CancellationToken ct) =>
        _api.InteractionCallbackAsync(Interaction.Id, Interaction.Token, callback, ct);

    private async Task DeferLaterAsync(TimeProvider time, CancellationToken ct)
    {
        try
        {
            await Task.Delay(DeferAfter, time, _handled.Token);
        }
        catch (OperationCanceledException)
        {
            return; // answered in time
        }

        if (_handled.IsCancellationRequested)
        {
            return;
        }

        if (time.GetElapsedTime(_arrived) >= Deadline)
        {
            // A starved timer fired past the deadline: Discord would refuse the deferral, so none is sent.
            LogDeferralTooLate(Interaction.Type);
            return;
        }

        // Components keep their message until the answer is known; commands and forms show "thinking…".
        // A failed deferral costs the in-place answer, never the replies routed to others.
        var defer = IsComponent
            ? new InteractionCallback(InteractionCallbackType.DeferredUpdateMessage)
            : new InteractionCallback(InteractionCallbackType.DeferredChannelMessageWithSource, new MessageBody(Flags: Flags));
        try
        {
            await CallbackAsync(defer, ct);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred a Discord interaction of type {Type}")]
    private partial void LogDeferred(InteractionType type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Discord interaction of type {Type} was still unanswered past its deadline; no deferral was sent")]
    private partial void LogDeferralTooLate(InteractionType type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Discord deferral failed ({Kind})")]
    private partial void LogDeferralFailed(string kind);
}
