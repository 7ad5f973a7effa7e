using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>Reads ServiceAccounts and asks the TokenRequest API for their tokens.</summary>
public interface IServiceAccountTokens
{
    /// <summary>The ServiceAccount <paramref name="namespace"/>/<paramref name="name"/>, or null when there is none.</summary>
    Task<V1ServiceAccount?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>A fresh token of the ServiceAccount for <paramref name="audience"/> (secret material: never print it).</summary>
    Task<string> RequestTokenAsync(string @namespace, string name, string audience, long expirationSeconds, CancellationToken cancellationToken);
}
