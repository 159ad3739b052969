using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupportBot.Slack.Wire;

namespace SupportBot.Slack;

/// <summary>
/// One Socket Mode connection: connects to a single-use URL, waits for <c>hello</c>, then reads frames until the
/// socket closes. Sends are serialised because a WebSocket allows one send at a time and acks come from many tasks.
/// </summary>
internal sealed class SlackSocket : IAsyncDisposable
{
    private const int MaxFrameBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private SlackSocket(ClientWebSocket socket) => _socket = socket;

    /// <summary>Connects and returns once Slack has said hello; throws if it does not within 10 seconds.</summary>
    public static async Task<SlackSocket> ConnectAsync(Uri url, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        // .NET answers Slack's pings itself; our own pings find a connection that died without a close.
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(15);
        var connection = new SlackSocket(socket);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(HelloTimeout);
            await socket.ConnectAsync(url, timeout.Token);
            var first = await connection.ReceiveAsync(timeout.Token);
            if (first?.Type != "hello")
            {
                throw new WebSocketException("Slack did not say hello first.");
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads frames until the socket closes. Envelopes and disconnect notices go to the callbacks, which must not block.</summary>
    public async Task RunAsync(Action<SocketFrame> onEnvelope, Action<string> onDisconnect, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var frame = await ReceiveAsync(ct);
            if (frame is null)
            {
                return;
            }

            if (frame.Type == "disconnect")
            {
                onDisconnect(frame.Reason ?? "");
            }
            else if (frame.EnvelopeId is not null)
            {
                onEnvelope(frame);
            }
        }
    }

    /// <summary>Acknowledges an envelope, with a response payload where the envelope accepts one.</summary>
    public async Task AckAsync(string envelopeId, JsonObject? payload, CancellationToken ct)
    {
        var ack = new JsonObject { ["envelope_id"] = envelopeId };
        if (payload is not null)
        {
            ack["payload"] = payload;
        }

        var bytes = Encoding.UTF8.GetBytes(ack.ToJsonString());
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task CloseAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The other side went away first; nothing is left to close.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _socket.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>The next text frame as a <see cref="SocketFrame"/>, or null when the socket closed or dropped.</summary>
    private async Task<SocketFrame?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer.GetMemory(16 * 1024), ct);
            }
            catch (WebSocketException)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxFrameBytes)
            {
                throw new WebSocketException("A Slack frame was larger than 4 MB.");
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            try
            {
                return JsonSerializer.Deserialize(buffer.WrittenSpan, SlackJson.Default.SocketFrame) ?? new SocketFrame(null, null, null, null);
            }
            catch (JsonException)
            {
                // A malformed frame is skipped (invariant 10); the connection itself is still good.
                buffer.Clear();
            }
        }
    }
}
