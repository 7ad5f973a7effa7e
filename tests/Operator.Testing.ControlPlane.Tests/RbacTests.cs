using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>RBAC from config/rbac enforced for the operator's ServiceAccount.</summary>
public sealed class RbacTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private const string OperatorNamespace = "remoteworkload-system";
    private const string OperatorAccount = "remoteworkload-operator";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Operator_service_account_can_do_what_its_roles_allow()
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        await admin.CreateAsync(Workloads.New("rbac-allowed"));
        var op = fixture.ControlPlane.CreateClientFor(OperatorNamespace, OperatorAccount);

        var list = await op.CustomObjects.ListClusterCustomObjectAsync(Workloads.Group, Workloads.Version, Workloads.Plural, cancellationToken: Ct);
        Assert.NotNull(list);
        await op.PatchStatusAsync("rbac-allowed", """{"status":{"phase":"Pending"}}""");
        await op.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "rbac-token" } }, "default", cancellationToken: Ct);
        await op.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "leader" } }, OperatorNamespace, cancellationToken: Ct);
    }

    [Fact]
    public async Task A_verb_missing_from_the_role_is_403_Forbidden_like_the_real_server()
    {
        var admin = fixture.ControlPlane.CreateAdminClient();
        await admin.CreateAsync(Workloads.New("rbac-denied"));
        var op = fixture.ControlPlane.CreateClientFor(OperatorNamespace, OperatorAccount);

        var (code, status) = await Workloads.FailureOf(() => op.DeleteWorkloadAsync("rbac-denied"));
        Assert.Equal(403, code);
        Assert.Equal("Forbidden", status["reason"]!.GetValue<string>());
        Assert.Equal(
            "remoteworkloads.workloads.dev \"rbac-denied\" is forbidden: User \"system:serviceaccount:remoteworkload-system:remoteworkload-operator\" cannot delete resource \"remoteworkloads\" in API group \"workloads.dev\" in the namespace \"default\"",
            status["message"]!.GetValue<string>());
        Assert.Equal("rbac-denied", status["details"]!["name"]!.GetValue<string>());

        (code, status) = await Workloads.FailureOf(() => op.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "leader" } }, "default", cancellationToken: Ct));
        Assert.Equal(403, code);
        Assert.Equal("leases.coordination.k8s.io is forbidden: User \"system:serviceaccount:remoteworkload-system:remoteworkload-operator\" cannot create resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"", status["message"]!.GetValue<string>());

        (code, status) = await Workloads.FailureOf(() => op.CoreV1.ListNamespaceAsync(cancellationToken: Ct));
        Assert.Equal(403, code);
        Assert.EndsWith("cannot list resource \"namespaces\" in API group \"\" at the cluster scope", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_token_is_401()
    {
        var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration
        {
            Host = fixture.ControlPlane.BaseAddress.GetLeftPart(UriPartial.Authority),
            AccessToken = "not-a-token",
            SslCaCerts = [System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(System.Text.Encoding.ASCII.GetBytes(fixture.ControlPlane.CertificateAuthorityPem))],
        });
        var (code, status) = await Workloads.FailureOf(() => client.CoreV1.ListNamespaceAsync(cancellationToken: Ct));
        Assert.Equal(401, code);
        Assert.Equal("Unauthorized", status["reason"]!.GetValue<string>());
    }
}
