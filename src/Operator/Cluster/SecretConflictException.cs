namespace RemoteWorkloadOperator.Cluster;

/// <summary>The token Secret's name is taken by a Secret this operator does not manage.</summary>
public sealed class SecretConflictException(string @namespace, string name)
    : Exception($"Secret {@namespace}/{name} exists and is not managed by remoteworkload-operator; delete it or choose another spec.tokenSecret.name")
{
    public string SecretName { get; } = name;
}
