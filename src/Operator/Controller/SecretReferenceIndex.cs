using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Controller;

/// <summary>
/// Which workloads reference which Secrets (client secret, refresh token, private key, subject token, client certificate), as <c>namespace/name</c> keys. A reference
/// has no namespace field, so a workload only ever references Secrets of its own namespace. Lets a Secret event queue
/// exactly the workloads that read it, and tells the Secret cache whose data to keep.
/// </summary>
public sealed class SecretReferenceIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _workloadsBySecret = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _secretsByWorkload = new(StringComparer.Ordinal);

    /// <summary>Records what <paramref name="workload"/> (key <paramref name="workloadKey"/>) references now.</summary>
    public void Set(string workloadKey, RemoteWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var ns = workload.Metadata.NamespaceProperty;
        var oauth = workload.Spec?.OAuth;
        string[] secrets = [.. new[] { oauth?.ClientSecretRef?.Name, oauth?.RefreshTokenSecretRef?.Name, oauth?.PrivateKeySecretRef?.Name, oauth?.TokenExchange?.SubjectTokenSecretRef?.Name, oauth?.ClientCertificateSecretRef?.Name }
            .Where(name => !string.IsNullOrEmpty(name))
            .Select(name => $"{ns}/{name}")
            .Distinct(StringComparer.Ordinal)];
        lock (_gate)
        {
            RemoveLocked(workloadKey);
            if (secrets.Length == 0)
            {
                return;
            }

            _secretsByWorkload[workloadKey] = secrets;
            foreach (var secret in secrets)
            {
                if (!_workloadsBySecret.TryGetValue(secret, out var workloads))
                {
                    _workloadsBySecret[secret] = workloads = new HashSet<string>(StringComparer.Ordinal);
                }

                workloads.Add(workloadKey);
            }
        }
    }

    /// <summary>Forgets everything (a new term of leadership lists the workloads again).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _workloadsBySecret.Clear();
            _secretsByWorkload.Clear();
        }
    }

    /// <summary>Forgets a deleted workload.</summary>
    public void Remove(string workloadKey)
    {
        lock (_gate)
        {
            RemoveLocked(workloadKey);
        }
    }

    /// <summary>The keys of the workloads that reference Secret <paramref name="namespace"/>/<paramref name="name"/>.</summary>
    public IReadOnlyList<string> WorkloadsReferencing(string? @namespace, string? name)
    {
        lock (_gate)
        {
            return _workloadsBySecret.TryGetValue($"{@namespace}/{name}", out var workloads) ? [.. workloads] : [];
        }
    }

    /// <summary>Whether any workload references Secret <paramref name="namespace"/>/<paramref name="name"/>.</summary>
    public bool IsReferenced(string? @namespace, string? name)
    {
        lock (_gate)
        {
            return _workloadsBySecret.ContainsKey($"{@namespace}/{name}");
        }
    }

    private void RemoveLocked(string workloadKey)
    {
        if (!_secretsByWorkload.Remove(workloadKey, out var previous))
        {
            return;
        }

        foreach (var secret in previous)
        {
            if (_workloadsBySecret.TryGetValue(secret, out var workloads) && workloads.Remove(workloadKey) && workloads.Count == 0)
            {
                _workloadsBySecret.Remove(secret);
            }
        }
    }
}
