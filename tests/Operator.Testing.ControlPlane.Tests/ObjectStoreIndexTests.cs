using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Storage;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>The uid and owner indexes garbage collection reads instead of scanning the whole store.</summary>
public sealed class ObjectStoreIndexTests
{
    private static JsonObject Object(string uid, params string[] owners) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["uid"] = uid,
            ["ownerReferences"] = new JsonArray([.. owners.Select(o => (JsonNode?)new JsonObject { ["uid"] = o })]),
        },
    };

    [Fact]
    public void Dependents_follow_every_write_and_removal()
    {
        var store = new ObjectStore();
        store.Put("workloads.dev/remoteworkloads", "ns", "owner", Object("owner-uid"));
        store.Put("/secrets", "ns", "a", Object("a-uid", "owner-uid"));
        store.Put("/secrets", "ns", "b", Object("b-uid", "owner-uid", "other-uid"));

        Assert.Equal(["a-uid", "b-uid"], store.DependentsOf("owner-uid").Select(d => d.Object["metadata"]!["uid"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Single(store.DependentsOf("other-uid"));

        store.Put("/secrets", "ns", "a", Object("a-uid"));
        Assert.Equal("b-uid", Assert.Single(store.DependentsOf("owner-uid")).Object["metadata"]!["uid"]!.GetValue<string>());

        store.Remove("/secrets", "ns", "b");
        Assert.Empty(store.DependentsOf("owner-uid"));
        Assert.Empty(store.DependentsOf("other-uid"));
    }

    [Fact]
    public void Uids_are_known_exactly_while_their_object_is_stored()
    {
        var store = new ObjectStore();
        store.Put("/secrets", "ns", "a", Object("a-uid"));
        Assert.True(store.ContainsUid("a-uid"));

        store.Remove("/secrets", "ns", "a");
        Assert.False(store.ContainsUid("a-uid"));
    }
}
