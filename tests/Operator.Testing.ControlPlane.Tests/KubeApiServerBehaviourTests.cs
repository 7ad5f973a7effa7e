using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>
/// Every row of <see cref="KubeApiServerRows"/> on the emulator and, where Docker exists, on K3s (skipped
/// with the reason otherwise): the emulator must answer each request as kube-apiserver 1.33 does.
/// </summary>
public sealed class KubeApiServerBehaviourTests(BackendFixture backends) : IClassFixture<BackendFixture>
{
    public static TheoryData<string, string> Rows()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in KubeApiServerRows.All)
        {
            data.Add(row.Name, BackendFixture.Local);
            data.Add(row.Name, BackendFixture.K3s);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Answers_as_kube_apiserver_1_33(string row, string backend)
    {
        var cluster = await backends.GetAsync(backend);
        using var client = cluster.CreateAdminClient();
        var ns = (await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = "table-" } }, cancellationToken: TestContext.Current.CancellationToken)).Metadata.Name;
        var definition = KubeApiServerRows.Find(row);
        try
        {
            using var raw = RawClient.FromKubeconfig(cluster.KubeconfigPath);
            await definition.Run(new RowContext(raw, ns));
        }
        catch (Exception e) when (e is Xunit.Sdk.IAssertionException)
        {
            throw new Xunit.Sdk.XunitException($"{row} (defined by {definition.Source}): {e.Message}", e);
        }
    }
}
