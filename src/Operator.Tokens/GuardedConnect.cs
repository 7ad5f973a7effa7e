using System.Net;
using System.Net.Sockets;
using RemoteWorkloadOperator.Entities.Validation;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// A <see cref="SocketsHttpHandler.ConnectCallback"/> that applies the endpoint guard to every connection the
/// token client makes, including hosts it only learnt from discovery documents: the name first (a metadata or
/// API-server name is refused before any lookup), then every resolved address (a public name can resolve to
/// 169.254.169.254 — DNS rebinding).
/// </summary>
public static class GuardedConnect
{
    private static readonly Func<string, CancellationToken, ValueTask<IPAddress[]>> SystemResolver =
        static (host, ct) => new ValueTask<IPAddress[]>(Dns.GetHostAddressesAsync(host, ct));

    /// <summary>The callback with the system resolver.</summary>
    public static ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ConnectAsync(context, SystemResolver, null, cancellationToken);

    /// <summary>The callback with the system resolver, refusing this cluster's API server hosts too (<see cref="EndpointGuard.ApiServerHosts"/>).</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Refusing(IReadOnlySet<string> apiServerHosts) =>
        (context, cancellationToken) => ConnectAsync(context, SystemResolver, apiServerHosts, cancellationToken);

    /// <summary>The callback with another resolver (tests use one to produce answers real DNS rarely gives).</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Using(
        Func<string, CancellationToken, ValueTask<IPAddress[]>> resolve, IReadOnlySet<string>? apiServerHosts = null) =>
        (context, cancellationToken) => ConnectAsync(context, resolve, apiServerHosts, cancellationToken);

    private static async ValueTask<Stream> ConnectAsync(
        SocketsHttpConnectionContext context, Func<string, CancellationToken, ValueTask<IPAddress[]>> resolve, IReadOnlySet<string>? apiServerHosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        if (EndpointGuard.WhyNotAllowed(endpoint.Host, apiServerHosts) is { } nameRefused)
        {
            throw Refused(endpoint.Host, nameRefused);
        }

        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await resolve(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            // An empty answer is a DNS problem (a record being changed, a split-horizon resolver), not a forbidden
            // address: it is reported as a lookup failure, which is retried.
            throw new SocketException((int)SocketError.NoData);
        }

        var allowed = addresses.Where(a => EndpointGuard.WhyNotAllowed(a, apiServerHosts) is null).ToArray();
        if (allowed.Length == 0)
        {
            throw Refused(endpoint.Host, EndpointGuard.WhyNotAllowed(addresses[0], apiServerHosts)!);
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

    private static EndpointNotAllowedException Refused(string host, string why) =>
        new($"connection to {host} refused by the endpoint guard: {why}; run the operator with --allow-private-endpoints to allow it");
}
