using System.Text;
using k8s;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>
/// Edits of <c>spec.tokenSecret</c> take effect at once, from the token the operator holds, without a token request:
/// a workload must never be Ready while the Secret its consumers mount stays unwritten for up to a token lifetime.
/// </summary>
public sealed class TokenSecretEditScenarios(EmulatorEnvironment environment) : EmulatorScenario(environment)
{
    [Fact]
    public async Task A_renamed_token_Secret_is_written_at_once_from_the_held_token()
    {
        await using var run = await Environment.StartRunningAsync("rename-token", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        var published = (await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel))!.Data["access_token"];
        var requests = idp.TokenRequestCount;

        await EditAsync(ns, w => w.Spec.TokenSecret = new TokenSecretSpec { Name = "renamed" });

        await Eventually(async () => await Workloads.GetSecretAsync(Admin, ns, "renamed", Cancel) is not null, "the renamed token Secret is written");
        var renamed = (await Workloads.GetSecretAsync(Admin, ns, "renamed", Cancel))!;
        Assert.Equal(Encoding.UTF8.GetString(published), Encoding.UTF8.GetString(renamed.Data["access_token"]));
        Assert.Equal(requests, idp.TokenRequestCount);
        Assert.Equal("renamed", (await Workloads.GetAsync(Admin, ns, "w", Cancel))!.Status!.Token!.SecretName);
    }

    [Fact]
    public async Task Switching_ownership_to_Retain_removes_the_ownerReference_at_once()
    {
        await using var run = await Environment.StartRunningAsync("retain-token", null, Cancel);
        var (idp, ns) = (run.Idp, run.Namespace);
        Assert.NotEmpty((await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel))!.Metadata.OwnerReferences ?? []);
        var requests = idp.TokenRequestCount;

        await EditAsync(ns, w => w.Spec.TokenSecret = new TokenSecretSpec { Ownership = SecretOwnership.Retain });

        await Eventually(async () => ((await Workloads.GetSecretAsync(Admin, ns, "w-token", Cancel))!.Metadata.OwnerReferences ?? []).Count == 0, "the token Secret lost its ownerReference");
        Assert.Equal(requests, idp.TokenRequestCount);
    }

    private async Task EditAsync(string ns, Action<RemoteWorkload> edit)
    {
        var workload = (await Workloads.GetAsync(Admin, ns, "w", Cancel))!;
        edit(workload);
        await Admin.CustomObjects.ReplaceNamespacedCustomObjectAsync(workload, WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, "w", cancellationToken: Cancel);
    }
}
