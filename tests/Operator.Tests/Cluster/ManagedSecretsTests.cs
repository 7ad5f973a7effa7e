using System.Text.RegularExpressions;
using k8s.Models;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Entities;

namespace RemoteWorkloadOperator.Tests.Cluster;

/// <summary>The labels on the operator's Secrets are valid for every workload name a cluster accepts.</summary>
public sealed partial class ManagedSecretsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(241)]
    public void Every_label_value_is_one_the_API_server_accepts_whatever_the_name_length(int length)
    {
        var name = NameOf(length);

        foreach (var (key, value) in ManagedSecrets.Labels(name))
        {
            // apimachinery pkg/util/validation/validation.go IsValidLabelValue: at most 63 characters, this pattern.
            Assert.True(value.Length <= 63, $"{key}={value} is {value.Length} characters");
            Assert.Matches(LabelValue(), value);
        }
    }

    [Fact]
    public void A_short_name_is_the_label_value_itself_so_selectors_by_name_keep_working()
    {
        Assert.Equal("sourcegraph", ManagedSecrets.Labels("sourcegraph")[WorkloadAnnotations.WorkloadLabel]);
    }

    [Fact]
    public void Long_names_that_share_a_prefix_get_different_label_values_and_keep_their_owner()
    {
        var a = NameOf(100) + "a";
        var b = NameOf(100) + "b";
        var secretOfA = new V1Secret { Metadata = new V1ObjectMeta { Labels = ManagedSecrets.Labels(a), Annotations = ManagedSecrets.Annotations(a) } };

        Assert.NotEqual(ManagedSecrets.LabelValue(a), ManagedSecrets.LabelValue(b));
        Assert.True(ManagedSecrets.IsManagedFor(secretOfA, a));
        Assert.False(ManagedSecrets.IsManagedFor(secretOfA, b));
        Assert.Equal(a, ManagedSecrets.WorkloadOf(secretOfA));
    }

    [Fact]
    public void A_Secret_without_our_labels_belongs_to_no_workload()
    {
        var foreign = new V1Secret { Metadata = new V1ObjectMeta { Annotations = ManagedSecrets.Annotations("w") } };

        Assert.Null(ManagedSecrets.WorkloadOf(foreign));
        Assert.False(ManagedSecrets.IsManagedFor(foreign, "w"));
    }

    private static string NameOf(int length) => string.Concat(Enumerable.Range(0, length).Select(i => i % 10 == 9 ? '-' : (char)('a' + (i % 26))))
        .TrimEnd('-').PadRight(length, 'z');

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
