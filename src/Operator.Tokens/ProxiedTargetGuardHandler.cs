using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using RemoteWorkloadOperator.Entities.Validation;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// The endpoint guard for requests that go through a proxy: there the connect-time guard (<see cref="GuardedConnect"/>)
/// only ever sees the proxy, so the target is checked here, before the request leaves — its name, then every address
/// it resolves to (the proxy resolves it again; a name that resolves to a forbidden address here is refused all the
/// same). Installed only when the operator honours <c>HTTPS_PROXY</c> and the guard is on.
/// </summary>
public sealed class ProxiedTargetGuardHandler(IReadOnlySet<string> apiServerHosts, Func<string, CancellationToken, ValueTask<IPAddress[]>>? resolve = null) : DelegatingHandler
{
    private readonly Func<string, CancellationToken, ValueTask<IPAddress[]>> _resolve =
        resolve ?? (static (host, ct) => new ValueTask<IPAddress[]>(Dns.GetHostAddressesAsync(host, ct)));

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var host = request.RequestUri?.IdnHost ?? string.Empty;
        if (EndpointGuard.WhyNotAllowed(host, apiServerHosts) is { } nameRefused)
        {
            throw Refused(host, nameRefused);
        }

        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await _resolve(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"no address for {host}", new SocketException((int)SocketError.NoData));
        }

        if (addresses.Select(a => EndpointGuard.WhyNotAllowed(a, apiServerHosts)).FirstOrDefault(why => why is not null) is { } addressRefused)
        {
            throw Refused(host, addressRefused);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static HttpRequestException Refused(string host, string why) =>
        new(HttpRequestError.ConnectionError, $"request to {host} refused", new EndpointNotAllowedException(
            $"connection to {host} refused by the endpoint guard: {why}; run the operator with --allow-private-endpoints to allow it"));
}
