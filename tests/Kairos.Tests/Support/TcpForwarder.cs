using System.Net;
using System.Net.Sockets;

namespace Kairos.Tests.Support;

/// <summary>
/// A loopback port that forwards every connection to another address, until <see cref="CutAsync"/>
/// closes the port and every connection through it: a database that becomes unreachable for one
/// server under test, while the database itself keeps serving the other tests.
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _port;
    private readonly CancellationTokenSource _cut = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    public TcpForwarder(string host, int port)
    {
        (_host, _port) = (host, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_cut.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(_host, _port, _cut.Token);
                lock (_connections)
                {
                    _connections.AddRange([inbound, outbound]);
                }
                _ = PumpAsync(inbound.GetStream(), outbound.GetStream());
                _ = PumpAsync(outbound.GetStream(), inbound.GetStream());
            }
        }
        catch (Exception) when (_cut.IsCancellationRequested)
        {
            // Cut.
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, _cut.Token);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // One side closed, or cut: the other side is closed by the cut or by its own end.
        }
    }

    /// <summary>Stops accepting and closes every forwarded connection: whoever used the port now finds nothing there.</summary>
    public async Task CutAsync()
    {
        await _cut.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Close();
            }
        }
        await _accepting;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_cut.IsCancellationRequested)
        {
            await CutAsync();
        }
        _cut.Dispose();
    }
}
