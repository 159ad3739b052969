using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// One gateway websocket: JSON frames in and out. Sends are serialised (heartbeats and the session both send), and a
/// frame that is not a gateway frame is logged and skipped (invariant 10): the connection itself is still good, and
/// dropping it would lose the events after it.
/// </summary>
internal sealed partial class DiscordGatewaySocket(ILogger logger) : IDisposable
{
    private const int MaxFrameBytes = 8 * 1024 * 1024;
    private const int ReadBytes = 16 * 1024;
    private const int KeptBufferBytes = 256 * 1024;

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private ArrayBufferWriter<byte> _frame = new(ReadBytes);

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseStatusDescription => _socket.CloseStatusDescription;

    public Task ConnectAsync(Uri uri, CancellationToken ct) => _socket.ConnectAsync(uri, ct);

    public async Task SendAsync<T>(T frame, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, type);
        await _sendGate.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// The next gateway frame, or null when the server closed the connection. Its <c>D</c> lies in this socket's receive
    /// buffer: it is valid until the next call, so the caller reads what it needs from it first.
    /// </summary>
    public async Task<GatewayFrame?> ReceiveAsync(CancellationToken ct)
    {
        // One buffer for every frame, instead of a new 16 KB one per frame; one held after a huge frame is let go.
        if (_frame.Capacity > KeptBufferBytes)
        {
            _frame = new ArrayBufferWriter<byte>(ReadBytes);
        }

        _frame.ResetWrittenCount();
        while (true)
        {
            var memory = _frame.GetMemory(ReadBytes);
            var result = await _socket.ReceiveAsync(memory, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _frame.Advance(result.Count);
            if (_frame.WrittenCount > MaxFrameBytes)
            {
                throw new WebSocketException("A gateway frame exceeded the size limit.");
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            try
            {
                if (GatewayFrameReader.Read(_frame.WrittenMemory) is { } frame)
                {
                    return frame;
                }
            }
            catch (JsonException)
            {
                // Skipped below, like a frame that reads as null.
            }

            LogMalformedFrame(_frame.WrittenCount);
            _frame.ResetWrittenCount();
        }
    }

    /// <summary>Closes with a code that keeps the session resumable (any but 1000/1001).</summary>
    public async Task CloseForResumeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)4000, "resuming", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The peer is gone already.
            }
        }
    }

    /// <summary>A frame that read, but whose data is not what it claims (a READY without a session): logged and skipped too.</summary>
    public void Skipped() => LogMalformedFrame(0);

    public void Dispose()
    {
        _socket.Dispose();
        _sendGate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a malformed Discord gateway frame ({Bytes} bytes)")]
    private partial void LogMalformedFrame(int bytes);
}
