using k8s;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Testing.AuthServer;
using RemoteWorkloadOperator.Testing.ControlPlane;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// One cluster shared by a scenario class; each scenario works in its own namespace with its own
/// authorization server and operator replica(s), so scenarios (and their IdP faults) never see each other.
/// </summary>
public abstract class ScenarioEnvironment : IAsyncLifetime
{
    public const string ClientId = "agent";
    public const string ClientSecret = "agent-secret";
    private static int _namespaces;

    public IKubernetesTestCluster Cluster { get; private set; } = null!;

    /// <summary>The operator's ServiceAccount: exactly the permissions of config/rbac.</summary>
    public KubernetesClientConfiguration OperatorConfiguration { get; private set; } = null!;

    public Kubernetes Admin { get; private set; } = null!;

    /// <summary>Null when the backend is available; otherwise why the scenarios are skipped.</summary>
    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var (cluster, unavailable) = await CreateClusterAsync();
        Unavailable = unavailable;
        if (cluster is null)
        {
            return;
        }

        Cluster = cluster;
        Admin = cluster.CreateAdminClient();
        await cluster.ApplyDirectoryAsync(RepositoryPaths.Combine("config", "crd"));
        await cluster.ApplyDirectoryAsync(RepositoryPaths.Combine("config", "rbac"));
        var kubeconfig = await cluster.WriteServiceAccountKubeconfigAsync("remoteworkload-system", "remoteworkload-operator");
        OperatorConfiguration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        Admin?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    /// <summary>A namespace no other scenario uses.</summary>
    public async Task<string> NewNamespaceAsync(string prefix, CancellationToken cancellationToken)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _namespaces)}";
        await Workloads.CreateNamespaceAsync(Admin, name, cancellationToken);
        return name;
    }

    /// <summary>An authorization server of the scenario's own, with the scenario client registered.</summary>
    public static async Task<TestAuthorizationServer> StartIdpAsync(TimeSpan? accessTokenLifetime = null)
    {
        var idp = await TestAuthorizationServer.StartAsync(new AuthServerOptions { EnableTls = false, AccessTokenLifetime = accessTokenLifetime ?? TimeSpan.FromHours(1) });
        idp.RegisterClient(ClientId, ClientSecret);
        return idp;
    }

    /// <summary>A credentials Secret holding the client secret and a fresh, real refresh token from <paramref name="idp"/>.</summary>
    public async Task<string> CreateCredentialsAsync(TestAuthorizationServer idp, string ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(idp);
        var refreshToken = await idp.IssueRefreshTokenAsync(ClientId, ClientSecret, cancellationToken: cancellationToken);
        await Workloads.CreateSecretAsync(Admin, ns, name, new Dictionary<string, string> { ["client_secret"] = ClientSecret, ["refresh_token"] = refreshToken }, cancellationToken);
        return refreshToken;
    }

    /// <summary>
    /// The common start of a scenario: its own IdP, a new namespace with credentials, one operator
    /// replica, and a RefreshToken workload <c>w</c> that has reached Running.
    /// </summary>
    internal async Task<ScenarioRun> StartRunningAsync(string prefix, RetrySpec? retry = null, CancellationToken cancellationToken = default)
    {
        var idp = await StartIdpAsync();
        var ns = await NewNamespaceAsync(prefix, cancellationToken);
        await CreateCredentialsAsync(idp, ns, "creds", cancellationToken);
        var op = await ScenarioOperator.StartAsync(OperatorConfiguration, ns, cancellationToken: cancellationToken);
        await Workloads.CreateAsync(Admin, Workloads.RefreshToken(ns, "w", idp.Issuer, ClientId, "creds", retry), cancellationToken);
        await Workloads.WaitForPhaseAsync(Admin, ns, "w", WorkloadPhase.Running, TimeSpan.FromSeconds(20), cancellationToken);
        return new ScenarioRun(idp, ns, op);
    }

    /// <summary>Creates the backend, or says why it cannot run here.</summary>
    protected abstract Task<(IKubernetesTestCluster? Cluster, string? Unavailable)> CreateClusterAsync();
}
