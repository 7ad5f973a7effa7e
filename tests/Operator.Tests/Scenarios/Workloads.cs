using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tests.Scenarios;

/// <summary>What scenarios do to a cluster, through the real KubernetesClient: create, read, wait, annotate.</summary>
internal static class Workloads
{
    public static async Task CreateNamespaceAsync(IKubernetes client, string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    public static Task<V1Secret> CreateSecretAsync(IKubernetes client, string ns, string name, IDictionary<string, string> data, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                Type = "Opaque",
                Data = data.ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value)),
            },
            ns,
            cancellationToken: cancellationToken);

    public static async Task UpdateSecretAsync(IKubernetes client, string ns, string name, string key, string value, CancellationToken cancellationToken)
    {
        var patch = new System.Text.Json.Nodes.JsonObject { ["data"] = new System.Text.Json.Nodes.JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) } }.ToJsonString();
        await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, ns, cancellationToken: cancellationToken);
    }

    /// <summary>A refresh-token workload against <paramref name="issuer"/> (discovery), with its own credentials Secret.</summary>
    public static RemoteWorkload RefreshToken(string ns, string name, Uri issuer, string clientId, string credentialsSecret, RetrySpec? retry = null, TokenSecretSpec? tokenSecret = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://mcp.example.com/mcp",
            OAuth = new OAuthSpec
            {
                Issuer = issuer.ToString(),
                Grant = GrantTypes.RefreshToken,
                ClientId = clientId,
                ClientSecretRef = new SecretKeyReference { Name = credentialsSecret, Key = "client_secret" },
                RefreshTokenSecretRef = new SecretKeyReference { Name = credentialsSecret, Key = "refresh_token" },
            },
            Retry = retry,
            TokenSecret = tokenSecret,
        },
    };

    /// <summary>A client-credentials workload against a direct token URL.</summary>
    public static RemoteWorkload ClientCredentials(string ns, string name, Uri tokenUrl, string clientId, string credentialsSecret, RetrySpec? retry = null, TokenSecretSpec? tokenSecret = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://api.example.com/",
            OAuth = new OAuthSpec
            {
                TokenUrl = tokenUrl.ToString(),
                Grant = GrantTypes.ClientCredentials,
                ClientId = clientId,
                ClientSecretRef = new SecretKeyReference { Name = credentialsSecret, Key = "client_secret" },
            },
            Retry = retry,
            TokenSecret = tokenSecret,
        },
    };

    public static Task CreateAsync(IKubernetes client, RemoteWorkload workload, CancellationToken cancellationToken) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(workload, WorkloadApi.Group, WorkloadApi.Version, workload.Metadata.NamespaceProperty, WorkloadApi.Plural, cancellationToken: cancellationToken);

    public static async Task<RemoteWorkload?> GetAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<RemoteWorkload>(WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static Task DeleteAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken) =>
        client.CustomObjects.DeleteNamespacedCustomObjectAsync(WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, name, cancellationToken: cancellationToken);

    public static async Task AnnotateRetryAsync(IKubernetes client, string ns, string name, string value, CancellationToken cancellationToken)
    {
        var patch = new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["annotations"] = new System.Text.Json.Nodes.JsonObject { [WorkloadAnnotations.RetryRequestedAt] = value } },
        }.ToJsonString();
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), WorkloadApi.Group, WorkloadApi.Version, ns, WorkloadApi.Plural, name, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Asks for one attempt now (the retry annotation) and waits until the IdP sees it. A request
    /// that arrives while an attempt is still finishing is coalesced into that attempt by design,
    /// so when no new token request shows up the annotation is renewed with a new value.
    /// </summary>
    public static async Task RequestAttemptAsync(IKubernetes client, string ns, string name, RemoteWorkloadOperator.Testing.AuthServer.TestAuthorizationServer idp, string value, CancellationToken cancellationToken)
    {
        for (var round = 0; round < 5; round++)
        {
            var before = idp.TokenRequestCount;
            await AnnotateRetryAsync(client, ns, name, round == 0 ? value : $"{value}-{round}", cancellationToken);
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3);
            while (DateTimeOffset.UtcNow < deadline)
            {
                if (idp.TokenRequestCount > before)
                {
                    return;
                }

                await Task.Delay(50, cancellationToken);
            }
        }

        throw new TimeoutException($"{ns}/{name}: no token request followed five retry requests");
    }

    /// <summary>Polls until the workload satisfies <paramref name="condition"/>; fails with its last status after <paramref name="timeout"/>.</summary>
    public static async Task<RemoteWorkload> WaitAsync(IKubernetes client, string ns, string name, Func<RemoteWorkload, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        RemoteWorkload? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            last = await GetAsync(client, ns, name, cancellationToken);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{ns}/{name} did not reach the expected state within {timeout}; last status: {(last?.Status is null ? "none" : KubernetesJson.Serialize(last.Status))}");
    }

    public static Task<RemoteWorkload> WaitForPhaseAsync(IKubernetes client, string ns, string name, WorkloadPhase phase, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(client, ns, name, w => w.Status?.Phase == phase, timeout, cancellationToken);

    /// <summary>Events recorded on the workload, oldest first.</summary>
    public static async Task<IReadOnlyList<Corev1Event>> EventsAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        var events = await client.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: cancellationToken);
        return events.Items
            .Where(e => e.InvolvedObject?.Name == name && e.InvolvedObject.Kind == WorkloadApi.Kind)
            .OrderBy(e => e.FirstTimestamp ?? e.Metadata.CreationTimestamp)
            .ToList();
    }

    public static async Task<V1Secret?> GetSecretAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
