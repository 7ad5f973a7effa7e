using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer.Fixtures;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// TLS failures heal (a certificate renewed after it expired, a load balancer that answered an alert while it
/// reloaded), so they are transient with reason <c>TlsFailure</c> and a message naming what the handshake said.
/// Real TLS on 127.0.0.1: Kestrel with a certificate the test swaps, and a socket that answers a TLS alert record.
/// </summary>
public sealed class RealHttpTlsIncidentTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task An_expired_IdP_certificate_is_a_transient_TlsFailure_and_the_renewed_one_is_accepted()
    {
        var now = DateTimeOffset.UtcNow;
        using var expired = _ca.Issue(now.AddDays(-10), now.AddMinutes(-20));
        using var renewed = _ca.Issue(now.AddMinutes(-1), now.AddDays(90));
        var serving = expired;
        await using var server = await LoopbackHttpServer.StartTlsAsync(
            _ => FixtureResponse.Json(200, new { access_token = "at", token_type = "Bearer", expires_in = 60 }),
            () => Volatile.Read(ref serving),
            Ct);
        await using var services = new ServiceCollection()
            .AddTokenEngine(configureHttp: http => http.ConfigurePrimaryHttpMessageHandler(_ca.TrustingHandler))
            .BuildServiceProvider();
        var client = NewClient(services);

        var during = (await client.RequestTokenAsync(Config(server.BaseUrl), Credentials, Ct)).Failure!;
        Volatile.Write(ref serving, renewed);
        var after = await client.RequestTokenAsync(Config(server.BaseUrl), Credentials, Ct);

        Assert.Equal(FailureClass.Transient, during.Class);
        Assert.Equal(FailureKind.Tls, during.Kind);
        Assert.Equal(Reasons.TlsFailure, during.Reason);
        Assert.Contains("NotTimeValid", during.Description, StringComparison.Ordinal);
        Assert.Equal("at", after.Grant!.AccessToken);
    }

    [Theory]
    [InlineData(80, "internal error")]
    [InlineData(112, "unrecognized name")]
    public async Task A_handshake_aborted_with_a_TLS_alert_is_a_transient_TlsFailure_naming_the_alert(byte alert, string said)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var answering = Task.Run(async () => await AnswerWithAlertAsync(listener, alert), Ct);
        await using var services = new ServiceCollection().AddTokenEngine().BuildServiceProvider();

        var failure = (await NewClient(services).RequestTokenAsync(Config($"https://127.0.0.1:{port}"), Credentials, Ct)).Failure!;
        await answering;

        Assert.Equal(FailureClass.Transient, failure.Class);
        Assert.Equal(Reasons.TlsFailure, failure.Reason);
        Assert.Contains(said, failure.Description, StringComparison.OrdinalIgnoreCase);
    }

    // RFC 8446 §6 / RFC 5246 §7.2: an alert record is content type 21, a version, length 2, level 2 (fatal) and the
    // description (80 internal_error, 112 unrecognized_name). Sent after reading the ClientHello, as a server does.
    private static async Task AnswerWithAlertAsync(TcpListener listener, byte description)
    {
        using var socket = await listener.AcceptSocketAsync(Ct);
        var hello = new byte[16 * 1024];
        _ = await socket.ReceiveAsync(hello, SocketFlags.None, Ct);
        await socket.SendAsync(new byte[] { 21, 3, 3, 0, 2, 2, description }, SocketFlags.None, Ct);
        socket.Shutdown(SocketShutdown.Send);
        // Wait for the client to hang up, so our close cannot turn into a reset that hides the alert.
        _ = await socket.ReceiveAsync(hello, SocketFlags.None, Ct);
    }

    private static TokenEndpointClient NewClient(ServiceProvider services) =>
        new(services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System, new TokenClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });

    private static MonitorCredentials Credentials => new("v1", "secret-value", null);

    private static TokenMonitorConfig Config(string baseUrl) => new()
    {
        WorkloadKey = "team-a/tls",
        TokenEndpoint = new Uri(baseUrl + "/token"),
        Grant = GrantType.ClientCredentials,
        ClientId = "client",
    };
}
