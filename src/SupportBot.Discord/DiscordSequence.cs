using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SupportBot.Core.Storage;

namespace SupportBot.Discord;

/// <summary>
/// The sequence one shard may claim after a crash: the highest one such that every direct message up to it is in the
/// inbox (or its sender was told it could not be saved) and every interaction up to it handled. A DM still being stored,
/// or a press still being handled, holds it back, even when later events are already through, so a restarted bot
/// resumes from before it and Discord sends it again (invariant 5).
/// The claim is written to <see cref="DiscordSessionStore"/> off the receive loop; a write that lags only makes
/// Discord replay more, which the inbox drops as repeats.
/// </summary>
internal sealed partial class DiscordSequence(DiscordSessionStore store, int shard, ILogger<DiscordSequence> logger)
{
    private readonly Lock _lock = new();
    private readonly SortedSet<int> _storing = [];
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private string? _sessionId;
    private string? _resumeUrl;
    private int _received;
    private int _generation;
    private DiscordSession? _written;

    /// <summary>What may be claimed now; null before any session.</summary>
    public DiscordSession? Durable
    {
        get
        {
            lock (_lock)
            {
                return _sessionId is null ? null : new DiscordSession(_sessionId, _resumeUrl, _storing.Count == 0 ? _received : _storing.Min - 1);
            }
        }
    }

    /// <summary>A session restored at start: what was claimed before is claimed still.</summary>
    public void Restore(DiscordSession session)
    {
        Start(session.SessionId, session.ResumeUrl, session.Seq);
        _written = session;
    }

    /// <summary>A new session (READY): its sequence starts over, and what the old one still stores no longer counts.</summary>
    public void Start(string sessionId, string? resumeUrl, int seq)
    {
        lock (_lock)
        {
            _generation++;
            _storing.Clear();
            _sessionId = sessionId;
            _resumeUrl = resumeUrl;
            _received = seq;
        }

        _changed.Writer.TryWrite(true);
    }

    /// <summary>
    /// A dispatch with sequence <paramref name="seq"/> was read. <paramref name="settled"/>, for a DM or an interaction, completes
    /// true once it may be claimed; until then (and forever, if it completes otherwise) the claim stays below it.
    /// </summary>
    public void Received(int? seq, Task<bool>? settled = null)
    {
        if (seq is not { } s)
        {
            return;
        }

        int generation;
        lock (_lock)
        {
            generation = _generation;
            _received = Math.Max(_received, s);
            if (settled is not null && !(settled.IsCompletedSuccessfully && settled.Result))
            {
                _storing.Add(s);
            }
        }

        if (settled is { IsCompleted: false })
        {
            _ = settled.ContinueWith(
                t =>
                {
                    if (t.IsCompletedSuccessfully && t.Result)
                    {
                        Settled(generation, s);
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _changed.Writer.TryWrite(true);
    }

    /// <summary>Writes the claim whenever it moves, at most every <paramref name="every"/>, until cancelled.</summary>
    public async Task WriteLoopAsync(TimeSpan every, CancellationToken ct)
    {
        try
        {
            while (await _changed.Reader.WaitToReadAsync(ct))
            {
                _changed.Reader.TryRead(out _);
                await WriteAsync(ct);
                await Task.Delay(every, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping; the caller writes the last claim.
        }
    }

    /// <summary>Writes the claim if it moved since the last write; a storage failure is logged and tried again at the next change.</summary>
    public async Task WriteAsync(CancellationToken ct)
    {
        if (Durable is not { } now || now == _written)
        {
            return;
        }

        try
        {
            await store.SaveAsync(shard, now, ct);
            _written = now;
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogWriteFailed(shard, fault);
        }
    }

    private void Settled(int generation, int seq)
    {
        lock (_lock)
        {
            if (generation != _generation)
            {
                return;
            }

            _storing.Remove(seq);
        }

        _changed.Writer.TryWrite(true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving the Discord session of shard {Shard} failed ({Fault}); after a restart Discord may replay more, which is dropped as repeats")]
    private partial void LogWriteFailed(int shard, string fault);
}
