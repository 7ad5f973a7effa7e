using Microsoft.AspNetCore.Connections;

namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>
/// Kestrel connection middleware in front of the TLS listener's handshake: while <see cref="AuthServerState.TlsAlert"/>
/// is set, every new connection gets the ClientHello read and a fatal TLS alert back (RFC 8446 §6: content type 21,
/// level 2, the description), as a load balancer reloading its configuration or certificates answers
/// <c>internal_error</c> (80) or <c>unrecognized_name</c> (112). Requests never reach HTTP, so none is counted.
/// Connections open when the incident starts are aborted (a reload drops them), so a client's pool cannot bypass it.
/// </summary>
internal static class TlsIncidentLayer
{
    public static Func<ConnectionDelegate, ConnectionDelegate> For(AuthServerState state) => next => async connection =>
    {
        if (state.TlsAlert is not { } alert)
        {
            state.OpenTlsConnections[connection.ConnectionId] = connection;
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                state.OpenTlsConnections.TryRemove(connection.ConnectionId, out _);
            }

            return;
        }

        var input = connection.Transport.Input;
        try
        {
            var hello = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            input.AdvanceTo(hello.Buffer.End);
            await connection.Transport.Output.WriteAsync(new byte[] { 21, 3, 3, 0, 2, 2, alert }, connection.ConnectionClosed).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
            // Until the client hangs up: closing first, with its bytes unread, could turn the alert into a reset.
            while (true)
            {
                var read = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
                input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client closed the connection: the incident was delivered.
        }
    };
}
