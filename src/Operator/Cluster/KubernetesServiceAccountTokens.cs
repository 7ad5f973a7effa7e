using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// <see cref="IServiceAccountTokens"/> over the API server: a GET of the ServiceAccount and a
/// <c>POST …/serviceaccounts/{name}/token</c>. Both are live calls, made once per token request (not per reconcile):
/// the opt-in is checked where the token is issued, so removing it stops the very next request.
/// </summary>
public sealed class KubernetesServiceAccountTokens(IKubernetes client) : IServiceAccountTokens
{
    public Task<V1ServiceAccount?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        KubernetesCalls.ReadOrNullAsync(() => client.CoreV1.ReadNamespacedServiceAccountAsync(name, @namespace, cancellationToken: cancellationToken));

    public async Task<string> RequestTokenAsync(string @namespace, string name, string audience, long expirationSeconds, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
                new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = [audience], ExpirationSeconds = expirationSeconds } },
                name,
                @namespace,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return answer.Status?.Token is { Length: > 0 } token
                ? token
                : throw new ServiceAccountTokenUnavailableException($"the TokenRequest for ServiceAccount {@namespace}/{name} was answered without a token");
        }
        catch (HttpOperationException e)
        {
            // Rethrown without the original: it carries the request and response, and no token may travel in an exception.
            throw new ServiceAccountTokenUnavailableException(
                $"the TokenRequest for ServiceAccount {@namespace}/{name} failed ({KubernetesErrors.Describe(e)}){((int?)e.Response?.StatusCode == 403 ? "; the operator needs create on serviceaccounts/token (config/rbac)" : string.Empty)}");
        }
    }
}
