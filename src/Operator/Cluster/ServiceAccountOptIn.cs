using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>The ServiceAccount opt-in: <see cref="WorkloadAnnotations.AllowedWorkloads"/> names the workload or is <c>*</c>.</summary>
public static class ServiceAccountOptIn
{
    public static bool Permits(V1ServiceAccount serviceAccount, string workloadName)
    {
        ArgumentNullException.ThrowIfNull(serviceAccount);
        if (serviceAccount.Metadata?.Annotations is not { } annotations || !annotations.TryGetValue(WorkloadAnnotations.AllowedWorkloads, out var value) || value is null)
        {
            return false;
        }

        return value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(entry => entry == "*" || string.Equals(entry, workloadName, StringComparison.Ordinal));
    }

    /// <summary>Reads the ServiceAccount and checks the opt-in; returns its uid.</summary>
    /// <exception cref="CredentialsUnavailableException">ServiceAccountNotFound or ServiceAccountNotPermitted.</exception>
    public static async Task<string> CheckAsync(IServiceAccountTokens serviceAccounts, WorkloadReference workload, ServiceAccountTokenSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serviceAccounts);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(spec);
        var serviceAccount = await serviceAccounts.GetAsync(workload.Namespace, spec.Name, cancellationToken).ConfigureAwait(false)
            ?? throw new CredentialsUnavailableException(Reasons.ServiceAccountNotFound,
                $"spec.oauth.serviceAccountToken.name: ServiceAccount {workload.Namespace}/{spec.Name} not found; create it (annotated {WorkloadAnnotations.AllowedWorkloads}: {workload.Name}) and the workload continues");
        if (!Permits(serviceAccount, workload.Name))
        {
            throw new CredentialsUnavailableException(Reasons.ServiceAccountNotPermitted,
                $"spec.oauth.serviceAccountToken.name: ServiceAccount {workload.Namespace}/{spec.Name} does not allow this workload to use its tokens: annotate it {WorkloadAnnotations.AllowedWorkloads}: {workload.Name} (comma-separated names, or \"*\" for every workload of the namespace), then annotate the workload with {WorkloadAnnotations.RetryRequestedAt} to try again");
        }

        return serviceAccount.Metadata.Uid ?? string.Empty;
    }
}
