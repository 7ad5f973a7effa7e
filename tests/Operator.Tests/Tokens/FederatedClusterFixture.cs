using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Testing.ControlPlane;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>
/// The OpenIddict test server and a local control plane whose service-account issuer it can trust: the IdP reaches the
/// cluster's discovery document and JWKS over HTTPS, trusting the cluster's CA, as Entra ID reaches a public issuer.
/// </summary>
public sealed class FederatedClusterFixture : IAsyncLifetime
{
    /// <summary>The audience Entra ID expects of federated tokens (its documented default).</summary>
    public const string Audience = "api://AzureADTokenExchange";

    private readonly AuthServerFixture _auth = new();
    private HttpClient? _backchannel;

    public LocalControlPlane ControlPlane { get; private set; } = null!;

    public TestAuthorizationServer Server => _auth.Server;

    public AuthServerFixture Auth => _auth;

    /// <summary>The cluster's service-account issuer (the emulator's https URL, no trailing slash).</summary>
    public string ClusterIssuer => ControlPlane.BaseAddress.GetLeftPart(UriPartial.Authority);

    public async ValueTask InitializeAsync()
    {
        await _auth.InitializeAsync();
        ControlPlane = await LocalControlPlane.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _backchannel = TrustingCluster(ControlPlane);
    }

    /// <summary>Creates the ServiceAccount in <c>default</c> (annotated to allow <paramref name="allowedWorkloads"/> when given).</summary>
    public async Task<V1ServiceAccount> ServiceAccountAsync(string name, string? allowedWorkloads = "*", string ns = "default")
    {
        var admin = ControlPlane.CreateAdminClient();
        return await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Annotations = allowedWorkloads is null ? null : new Dictionary<string, string> { [WorkloadAnnotations.AllowedWorkloads] = allowedWorkloads },
            },
        }, ns, cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>Registers <paramref name="clientId"/> at the IdP with a federated credential for the ServiceAccount.</summary>
    public void RegisterFederatedClient(string clientId, string serviceAccount, string ns = "default", string audience = Audience, string? issuer = null) =>
        Server.RegisterFederatedClient(clientId, new FederatedCredential(issuer ?? ClusterIssuer, $"system:serviceaccount:{ns}:{serviceAccount}", audience, _backchannel!));

    public async ValueTask DisposeAsync()
    {
        _backchannel?.Dispose();
        await ControlPlane.DisposeAsync();
        await _auth.DisposeAsync();
    }

    /// <summary>An HTTP client that trusts the cluster's CA only.</summary>
    public static HttpClient TrustingCluster(LocalControlPlane controlPlane)
    {
        ArgumentNullException.ThrowIfNull(controlPlane);
        return controlPlane.NewAnonymousHttpClient();
    }
}
