using System.Net;
using System.Net.Sockets;

namespace Kairos.Executors.Http;

/// <summary>
/// The connect step of the "Kairos" HTTP client: resolves the host itself and connects only to an
/// address <see cref="OutboundHttpPolicy"/> allows. Checking the address actually connected to (not
/// the URL) is what stops a name that resolves to 127.0.0.1, or a redirect to one.
/// </summary>
internal sealed class GuardedConnector(OutboundHttpPolicy policy)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        string? refusal = null;
        SocketException? failed = null;
        foreach (var address in addresses)
        {
            if (policy.Refusal(host, address) is { } why)
            {
                refusal ??= why;
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                // Try the host's next address, as the default connect step does.
                socket.Dispose();
                failed = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        if (failed is not null)
        {
            throw failed;
        }
        throw new OutboundHttpRefusedException(refusal ?? $"{host} resolved to no address");
    }
}

/// <summary>A connection <see cref="OutboundHttpPolicy"/> refused; retrying cannot help.</summary>
internal sealed class OutboundHttpRefusedException(string message) : Exception(message);
