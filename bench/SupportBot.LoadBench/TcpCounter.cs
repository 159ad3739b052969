using System.Net;
using System.Net.Sockets;

/// <summary>
/// A loopback TCP relay in front of a fake that counts the connections a bot opens to it (the fake Slack does not
/// count them itself). Bytes pass through untouched.
/// </summary>
internal sealed class TcpCounter : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    public TcpCounter(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var target = new TcpClient { NoDelay = true })
        {
            client.NoDelay = true;
            try
            {
                await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                var a = client.GetStream();
                var b = target.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // One side closed: the relay ends with it.
            }
        }
    }
}
