using k8s.Models;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tests.Controller;

public sealed class SecretReferenceIndexTests
{
    private static RemoteWorkload Workload(string ns, string name, string? clientSecret, string? refreshToken = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RemoteWorkloadSpec
        {
            Url = "https://api.example.com/",
            OAuth = new OAuthSpec
            {
                ClientId = "c",
                ClientSecretRef = clientSecret is null ? null : new SecretKeyReference { Name = clientSecret, Key = "client_secret" },
                RefreshTokenSecretRef = refreshToken is null ? null : new SecretKeyReference { Name = refreshToken, Key = "refresh_token" },
            },
        },
    };

    [Fact]
    public void A_secret_maps_to_exactly_the_workloads_that_reference_it()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/one", Workload("a", "one", "shared"));
        index.Set("a/two", Workload("a", "two", "shared", "two-refresh"));
        index.Set("a/three", Workload("a", "three", "other"));

        Assert.Equal(["a/one", "a/two"], index.WorkloadsReferencing("a", "shared").Order(StringComparer.Ordinal));
        Assert.Equal(["a/two"], index.WorkloadsReferencing("a", "two-refresh"));
        Assert.Equal(["a/three"], index.WorkloadsReferencing("a", "other"));
        Assert.Empty(index.WorkloadsReferencing("a", "unreferenced"));
    }

    [Fact]
    public void A_reference_names_a_secret_of_the_workloads_own_namespace_only()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/one", Workload("a", "one", "creds"));

        Assert.Empty(index.WorkloadsReferencing("b", "creds"));
        Assert.False(index.IsReferenced("b", "creds"));
        Assert.True(index.IsReferenced("a", "creds"));
    }

    [Fact]
    public void An_edited_reference_moves_and_a_deleted_workload_is_forgotten()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/one", Workload("a", "one", "old"));
        index.Set("a/one", Workload("a", "one", "new"));

        Assert.False(index.IsReferenced("a", "old"));
        Assert.Equal(["a/one"], index.WorkloadsReferencing("a", "new"));

        index.Remove("a/one");
        Assert.False(index.IsReferenced("a", "new"));
    }

    [Fact]
    public void The_same_secret_referenced_twice_by_one_workload_queues_it_once()
    {
        var index = new SecretReferenceIndex();
        index.Set("a/one", Workload("a", "one", "creds", "creds"));

        Assert.Equal(["a/one"], index.WorkloadsReferencing("a", "creds"));
    }
}
