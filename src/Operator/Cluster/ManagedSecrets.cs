using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Labels that mark Secrets as this operator's, and the check that refuses to touch others. A workload name can be
/// 253 characters but a label value only 63, so the workload label holds the name when it fits and a shortened,
/// hashed form otherwise; the full name is always in the annotation of the same key.
/// </summary>
public static class ManagedSecrets
{
    /// <summary>The longest label value the API server accepts.</summary>
    public const int MaxLabelValueLength = 63;

    private const int HashLength = 16;

    public static Dictionary<string, string> Labels(string workloadName) => new()
    {
        [WorkloadAnnotations.ManagedByLabel] = WorkloadAnnotations.ManagedByValue,
        [WorkloadAnnotations.WorkloadLabel] = LabelValue(workloadName),
    };

    public static Dictionary<string, string> Annotations(string workloadName) => new()
    {
        [WorkloadAnnotations.WorkloadLabel] = workloadName,
    };

    /// <summary>
    /// The value of the workload label: the name itself when it fits, else its first characters, '-' and a hash of the
    /// whole name (a DNS-subdomain name starts alphanumeric and the hash ends so, as a label value must).
    /// </summary>
    public static string LabelValue(string workloadName)
    {
        ArgumentNullException.ThrowIfNull(workloadName);
        if (workloadName.Length <= MaxLabelValueLength)
        {
            return workloadName;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(workloadName)))[..HashLength];
        return $"{workloadName[..(MaxLabelValueLength - HashLength - 1)]}-{hash}";
    }

    /// <summary>The workload a managed Secret belongs to: the annotation, else (Secrets written before it) the label.</summary>
    public static string? WorkloadOf(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (!IsManaged(secret))
        {
            return null;
        }

        return secret.Metadata.Annotations is { } annotations && annotations.TryGetValue(WorkloadAnnotations.WorkloadLabel, out var name)
            ? name
            : secret.Metadata.Labels!.TryGetValue(WorkloadAnnotations.WorkloadLabel, out var label) ? label : null;
    }

    /// <summary>True when <paramref name="secret"/> was written by this operator for <paramref name="workloadName"/>.</summary>
    public static bool IsManagedFor(V1Secret secret, string workloadName) =>
        IsManaged(secret)
        && secret.Metadata.Labels!.TryGetValue(WorkloadAnnotations.WorkloadLabel, out var label) && label == LabelValue(workloadName)
        && (secret.Metadata.Annotations is not { } annotations
            || !annotations.TryGetValue(WorkloadAnnotations.WorkloadLabel, out var name)
            || name == workloadName);

    private static bool IsManaged(V1Secret secret) =>
        secret.Metadata.Labels is { } labels
        && labels.TryGetValue(WorkloadAnnotations.ManagedByLabel, out var managedBy) && managedBy == WorkloadAnnotations.ManagedByValue;
}
