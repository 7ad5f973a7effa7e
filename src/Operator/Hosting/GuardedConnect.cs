using System.Net;
using System.Net.Sockets;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Hosting;

/// <summary>
/// A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host itself and refuses
/// addresses the endpoint guard forbids. Checking names in the spec is not enough: a public name
/// can resolve to 169.254.169.254 (DNS rebinding), so the check happens at connect time too.
/// </summary>
public static class GuardedConnect
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => EndpointGuard.WhyNotAllowed(a) is null).ToArray();
        if (allowed.Length == 0)
        {
            var why = addresses.Length == 0 ? "no address" : EndpointGuard.WhyNotAllowed(addresses[0]);
            throw new EndpointNotAllowedException($"connection to {endpoint.Host} refused by the endpoint guard: {why}; run the operator with --allow-private-endpoints to allow it");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
