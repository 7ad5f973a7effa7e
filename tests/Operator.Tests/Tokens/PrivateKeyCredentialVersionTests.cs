using RemoteWorkloadOperator.Cluster;

namespace RemoteWorkloadOperator.Tests.Tokens;

/// <summary>A changed private key is a credentials change; workloads without one keep the version they had.</summary>
public sealed class PrivateKeyCredentialVersionTests
{
    [Fact]
    public void A_new_private_key_changes_the_credentials_version()
    {
        var before = KubernetesCredentialsSource.Version(null, null, "-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----");
        var after = KubernetesCredentialsSource.Version(null, null, "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----");

        Assert.NotEqual(before, after);
        Assert.DoesNotContain("PRIVATE", before, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_private_key_the_version_is_the_one_recorded_before_private_keys_existed()
    {
        Assert.Equal(KubernetesCredentialsSource.Version("rt", "secret"), KubernetesCredentialsSource.Version("rt", "secret", null));
    }
}
