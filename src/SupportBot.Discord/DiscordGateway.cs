using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>A gateway close the bot must not retry: the configuration is wrong and only an admin can fix it.</summary>
public sealed class DiscordFatalException(string message) : Exception(message);

/// <summary>
/// One shard's gateway connection: one websocket session per <see cref="RunAsync"/>, with the session id, resume address
/// and last sequence number kept between sessions so the next one resumes and Discord replays what was missed.
/// </summary>
internal sealed partial class DiscordGateway(DiscordOptions options, int shard, TimeProvider time, ILogger logger)
{
    /// <summary>GUILDS (1 &lt;&lt; 0) and DIRECT_MESSAGES (1 &lt;&lt; 12); neither is privileged.</summary>
    public const int Intents = (1 << 0) | (1 << 12);

    private int? _sequence;
    private string? _sessionId;
    private string? _resumeUrl;

    /// <summary>
    /// Called for every dispatch (op 0) but READY, in the order received, with its sequence. The data is the frame's
    /// <c>d</c> as UTF-8 JSON, empty when the frame had none (RESUMED may not); it lies in the receive buffer, so it is
    /// valid only until the returned task completes.
    /// </summary>
    public Func<string, ReadOnlyMemory<byte>, int?, Task> OnDispatch { get; set; } = (_, _, _) => Task.CompletedTask;

    /// <summary>Called on READY, before the next frame is read: a new session, whose sequence starts over.</summary>
    public Func<DiscordSession, Task> OnReady { get; set; } = _ => Task.CompletedTask;

    public string? BotUserId { get; private set; }

    public bool CanResume => _sessionId is not null;

    /// <summary>
    /// Between a RESUME and its RESUMED: the dispatches read meanwhile are Discord's replay of what the bot had not
    /// claimed, sent again though an earlier process may have begun answering them.
    /// </summary>
    public bool Replaying { get; private set; }

    /// <summary>Where the next session should connect: the resume address when resuming, else null (ask /gateway/bot).</summary>
    public string? ResumeUrl => CanResume ? _resumeUrl : null;

    /// <summary>Called when a session reaches READY or RESUMED; the caller's backoff measures from here whether it lasted.</summary>
    public Action OnEstablished { get; set; } = () => { };

    /// <summary>
    /// Called when Discord answers an IDENTIFY (READY, or an invalid session), so the caller starts the bucket's next five
    /// seconds (Discord's identify limit) from a moment Discord has surely read it. Counted from the send, an IDENTIFY
    /// held up on a busy machine or network reached Discord less than five seconds before the next one, which Discord
    /// refuses. A connection that ends unanswered passes the turn on when it ends.
    /// </summary>
    public Action OnIdentifyAnswered { get; set; } = () => { };

    /// <summary>A session saved before a restart: the next <see cref="RunAsync"/> resumes it from its sequence.</summary>
    public void Restore(DiscordSession session)
    {
        _sessionId = session.SessionId;
        _resumeUrl = session.ResumeUrl;
        _sequence = session.Seq;
    }

    /// <summary>
    /// Runs one session until the connection ends. Throws <see cref="DiscordFatalException"/> on fatal close codes,
    /// and whatever the socket throws when the connection drops.
    /// </summary>
    public async Task RunAsync(string gatewayUrl, CancellationToken ct)
    {
        using var socket = new DiscordGatewaySocket(logger);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await socket.ConnectAsync(new Uri(gatewayUrl.TrimEnd('/') + "/?v=10&encoding=json"), ct);

        var hello = await socket.ReceiveAsync(ct);
        if (hello is not { Op: 10, D.IsEmpty: false })
        {
            LogUnexpectedFirstFrame();
            return;
        }

        var interval = TimeSpan.FromMilliseconds(JsonSerializer.Deserialize(hello.D.Span, DiscordJson.Default.HelloData)!.HeartbeatInterval);
        var acked = true;
        var zombie = false;

        if (_sessionId is { } sessionId)
        {
            await socket.SendAsync(new ResumeFrame(new ResumeData(options.Token, sessionId, _sequence)), DiscordJson.Default.ResumeFrame, ct);
            Replaying = true;
        }
        else
        {
            Replaying = false;
            var identify = new IdentifyData(options.Token, Intents, new IdentifyProperties("linux", "SupportBot", "SupportBot"),
                [shard, options.ShardCount]);
            await socket.SendAsync(new IdentifyFrame(identify), DiscordJson.Default.IdentifyFrame, ct);
        }

        var heartbeats = HeartbeatAsync(socket, interval, session.Token);
        try
        {
            while (true)
            {
                var frame = await socket.ReceiveAsync(session.Token);
                if (frame is null)
                {
                    HandleClose(socket.CloseStatus, socket.CloseStatusDescription);
                    return;
                }

                switch (frame.Op)
                {
                    case 0:
                        if (frame.S is { } s)
                        {
                            _sequence = s;
                        }

                        if (frame.T == "READY" && !frame.D.IsEmpty)
                        {
                            if (ReadReady(frame.D) is not { } ready)
                            {
                                socket.Skipped(); // a READY without its session or user is of no use, like any malformed frame
                                break;
                            }

                            _sessionId = ready.SessionId;
                            _resumeUrl = ready.ResumeGatewayUrl;
                            Replaying = false;
                            BotUserId = ready.User.Id;
                            OnIdentifyAnswered();
                            LogReady(shard);
                            OnEstablished();
                            await OnReady(new DiscordSession(ready.SessionId, ready.ResumeGatewayUrl, frame.S ?? 0));
                        }
                        else if (frame.T is { } name)
                        {
                            if (name == "RESUMED")
                            {
                                Replaying = false;
                                LogResumed(shard);
                                OnEstablished();
                            }

                            // Waits while the bot has its hands full (see DiscordReceiver.RoomAsync), but not past a stop.
                            await OnDispatch(name, frame.D, frame.S).WaitAsync(session.Token);
                        }

                        break;
                    case 1:
                        await socket.SendAsync(new HeartbeatFrame(_sequence), DiscordJson.Default.HeartbeatFrame, session.Token);
                        break;
                    case 7:
                        LogReconnectRequested(shard);
                        await socket.CloseForResumeAsync();
                        return;
                    case 9:
                        OnIdentifyAnswered();
                        var resumable = frame.D.Span.SequenceEqual("true"u8);
                        if (!resumable)
                        {
                            ForgetSession();
                        }

                        // Discord asks for a wait of one to five seconds before the next IDENTIFY or RESUME.
                        var wait = TimeSpan.FromMilliseconds(1000 + Random.Shared.Next(4000));
                        LogInvalidSession(shard, resumable, wait.TotalMilliseconds);
                        await socket.CloseForResumeAsync();
                        await Task.Delay(wait, time, ct);
                        return;
                    case 11:
                        acked = true;
                        break;
                }

            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && zombie)
        {
            LogZombie(shard);
            await socket.CloseForResumeAsync();
            return;
        }
        finally
        {
            await session.CancelAsync();
            try
            {
                await heartbeats;
            }
            catch (OperationCanceledException)
            {
                // Expected: the session ended.
            }
            catch (WebSocketException)
            {
                // The socket closed under a heartbeat; the session is ending anyway.
            }
        }

        // Sends heartbeats until cancelled. A heartbeat due before the last one was ACKed means a zombie
        // connection: it cancels the session so the receive loop stops waiting on a dead socket.
        async Task HeartbeatAsync(DiscordGatewaySocket ws, TimeSpan every, CancellationToken token)
        {
            await Task.Delay(every * Random.Shared.NextDouble(), time, token);

            // A periodic timer keeps the cadence fixed: time spent sending does not push later beats back.
            using var timer = new PeriodicTimer(every, time);
            do
            {
                if (!acked)
                {
                    zombie = true;
                    await session.CancelAsync();
                    return;
                }

                acked = false;
                await ws.SendAsync(new HeartbeatFrame(_sequence), DiscordJson.Default.HeartbeatFrame, token);
            }
            while (await timer.WaitForNextTickAsync(token));
        }
    }

    private void ForgetSession()
    {
        _sessionId = null;
        _resumeUrl = null;
        _sequence = null;
    }

    private void HandleClose(WebSocketCloseStatus? status, string? description)
    {
        var code = (int?)status ?? 0;
        LogClosed(shard, code, description ?? "");
        var fatal = code switch
        {
            4004 => "authentication failed (4004): check Discord:Token",
            4010 => $"invalid shard (4010) for shard {shard}: check Discord:ShardIds (or Discord:ShardId) and Discord:ShardCount",
            4011 => "sharding required (4011): set Discord:ShardCount above 1 and split the shards with Discord:ShardIds",
            4012 => "invalid API version (4012)",
            4013 => "invalid intents (4013)",
            4014 => "disallowed intents (4014): enable them in the Developer Portal or remove them",
            _ => null,
        };
        if (fatal is not null)
        {
            throw new DiscordFatalException("Discord closed the gateway: " + fatal + ". The Discord adapter has stopped.");
        }

        // 4007 (invalid seq) and 4009 (session timed out) cannot be resumed: the next session identifies anew.
        if (code is 4007 or 4009)
        {
            ForgetSession();
        }
    }

    private static ReadyData? ReadReady(ReadOnlyMemory<byte> data)
    {
        try
        {
            return JsonSerializer.Deserialize(data.Span, DiscordJson.Default.ReadyData) is { SessionId.Length: > 0, User.Id.Length: > 0 } ready ? ready : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway ready (shard {Shard})")]
    private partial void LogReady(int shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway session resumed (shard {Shard})")]
    private partial void LogResumed(int shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord asked shard {Shard} to reconnect")]
    private partial void LogReconnectRequested(int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord invalidated the session of shard {Shard} (resumable: {Resumable}); waiting {WaitMs} ms")]
    private partial void LogInvalidSession(int shard, bool resumable, double waitMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No heartbeat ACK from Discord on shard {Shard}; reconnecting to resume")]
    private partial void LogZombie(int shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord closed the gateway connection of shard {Shard} with code {Code} {Reason}")]
    private partial void LogClosed(int shard, int code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The first gateway frame was not HELLO")]
    private partial void LogUnexpectedFirstFrame();
}
