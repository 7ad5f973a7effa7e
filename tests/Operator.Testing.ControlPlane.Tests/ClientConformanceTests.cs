using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>API semantics as seen through the official KubernetesClient.</summary>
public sealed class ClientConformanceTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private readonly Kubernetes _client = fixture.ControlPlane.CreateAdminClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Version_and_discovery_report_v1_33_and_the_installed_crd()
    {
        var version = await _client.Version.GetCodeAsync(Ct);
        Assert.Equal("v1.33.0", version.GitVersion);
        var groups = await _client.Apis.GetAPIVersionsAsync(Ct);
        Assert.Contains(groups.Groups, g => g.Name == "workloads.dev");
        var resources = await _client.CustomObjects.GetAPIResourcesAsync("workloads.dev", "v1alpha1", Ct);
        var rw = Assert.Single(resources.Resources, r => r.Name == "remoteworkloads");
        Assert.Contains("rw", rw.ShortNames);
        Assert.Contains(resources.Resources, r => r.Name == "remoteworkloads/status");
    }

    [Fact]
    public async Task Create_sets_server_fields_and_defaults()
    {
        var created = await _client.CreateAsync(Workloads.New("create-fields"));
        var metadata = created["metadata"]!;
        Assert.True(Guid.TryParse(metadata["uid"]!.GetValue<string>(), out _));
        Assert.Equal(1, created.Generation());
        Assert.True(long.Parse(created.Rv(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.EndsWith("Z", metadata["creationTimestamp"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ClientSecretBasic", created["spec"]!["oauth"]!["clientAuthentication"]!.GetValue<string>());
    }

    [Fact]
    public async Task Generation_changes_only_with_spec_and_main_endpoint_ignores_status()
    {
        var created = await _client.CreateAsync(Workloads.New("generation"));
        created["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
        created["status"] = new JsonObject { ["phase"] = "Running" };
        var labelled = await _client.ReplaceAsync(created);
        Assert.Equal(1, labelled.Generation());
        Assert.Null(labelled["status"]);
        Assert.NotEqual(created.Rv(), labelled.Rv());

        var withStatus = await _client.PatchStatusAsync("generation", """{"status":{"phase":"Running"},"spec":{"url":"https://ignored.example.com"}}""");
        Assert.Equal(1, withStatus.Generation());
        Assert.Equal("Running", withStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("https://svc.example.com/api", withStatus["spec"]!["url"]!.GetValue<string>());

        withStatus["spec"]!["url"] = "https://changed.example.com";
        var changed = await _client.ReplaceAsync(withStatus);
        Assert.Equal(2, changed.Generation());
        Assert.Equal("Running", changed["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task No_op_update_keeps_the_resource_version()
    {
        var created = await _client.CreateAsync(Workloads.New("no-op"));
        var again = await _client.ReplaceAsync(created);
        Assert.Equal(created.Rv(), again.Rv());
    }

    [Fact]
    public async Task Stale_update_is_409_Conflict_with_a_Status_body()
    {
        var created = await _client.CreateAsync(Workloads.New("stale"));
        var first = created.DeepClone().AsObject();
        first["spec"]!["url"] = "https://one.example.com";
        await _client.ReplaceAsync(first);
        created["spec"]!["url"] = "https://two.example.com";

        var (code, status) = await Workloads.FailureOf(() => _client.ReplaceAsync(created));

        Assert.Equal(409, code);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        Assert.Equal("Operation cannot be fulfilled on remoteworkloads.workloads.dev \"stale\": the object has been modified; please apply your changes to the latest version and try again", status["message"]!.GetValue<string>());
        Assert.Equal("workloads.dev", status["details"]!["group"]!.GetValue<string>());
        Assert.Equal("remoteworkloads", status["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(409, status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Duplicate_create_is_409_AlreadyExists_and_missing_is_404_NotFound()
    {
        await _client.CreateAsync(Workloads.New("dup"));
        var (code, status) = await Workloads.FailureOf(() => _client.CreateAsync(Workloads.New("dup")));
        Assert.Equal(409, code);
        Assert.Equal("AlreadyExists", status["reason"]!.GetValue<string>());
        Assert.Equal("remoteworkloads.workloads.dev \"dup\" already exists", status["message"]!.GetValue<string>());

        (code, status) = await Workloads.FailureOf(() => _client.GetWorkloadAsync("absent"));
        Assert.Equal(404, code);
        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
        Assert.Equal("remoteworkloads.workloads.dev \"absent\" not found", status["message"]!.GetValue<string>());

        (code, status) = await Workloads.FailureOf(() => _client.CoreV1.ReadNamespacedSecretAsync("absent", "default", cancellationToken: Ct));
        Assert.Equal(404, code);
        Assert.Equal("secrets \"absent\" not found", status["message"]!.GetValue<string>());
        Assert.Null(status["details"]!["group"]);
    }

    [Fact]
    public async Task Schema_violations_are_422_Invalid_with_field_causes()
    {
        var body = Workloads.New("invalid", url: "ftp://nope");
        body["spec"]!["oauth"]!["grant"] = "Password";
        body["spec"]!["retry"] = new JsonObject { ["maxAttempts"] = 0, ["initialInterval"] = "5m", ["maxInterval"] = "1m" };

        var (code, status) = await Workloads.FailureOf(() => _client.CreateAsync(body));

        Assert.Equal(422, code);
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal("RemoteWorkload", status["details"]!["kind"]!.GetValue<string>());
        var causes = status["details"]!["causes"]!.AsArray().Select(c => (c!["reason"]!.GetValue<string>(), c["field"]!.GetValue<string>())).ToList();
        Assert.Contains(("FieldValueInvalid", "spec.url"), causes);
        Assert.Contains(("FieldValueNotSupported", "spec.oauth.grant"), causes);
        Assert.Contains(("FieldValueInvalid", "spec.retry.maxAttempts"), causes);
        Assert.Contains(("FieldValueInvalid", "spec.retry"), causes);
        Assert.StartsWith("RemoteWorkload.workloads.dev \"invalid\" is invalid: [", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("initialInterval must not exceed maxInterval", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Unsupported value: \"Password\": supported values: \"RefreshToken\", \"ClientCredentials\"", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Required_fields_and_cel_rules_on_the_real_crd()
    {
        var body = Workloads.New("cel");
        body["spec"]!["oauth"]!["issuer"] = "https://idp.example.com";
        body["spec"]!.AsObject().Remove("url");
        var (code, status) = await Workloads.FailureOf(() => _client.CreateAsync(body));
        Assert.Equal(422, code);
        var message = status["message"]!.GetValue<string>();
        Assert.Contains("spec.url: Required value", message, StringComparison.Ordinal);
        Assert.Contains("spec.oauth: Invalid value: \"object\": at most one of issuer or tokenUrl may be set; omit both to discover the authorization server from spec.url", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Merge_patch_and_json_patch_apply()
    {
        await _client.CreateAsync(Workloads.New("patches"));
        var merged = await _client.PatchAsync("patches", """{"metadata":{"annotations":{"x":"1"}}}""", V1Patch.PatchType.MergePatch);
        Assert.Equal("1", merged["metadata"]!["annotations"]!["x"]!.GetValue<string>());
        var patched = await _client.PatchAsync("patches", """[{"op":"replace","path":"/spec/url","value":"https://p.example.com"},{"op":"add","path":"/metadata/labels","value":{"k":"v"}}]""", V1Patch.PatchType.JsonPatch);
        Assert.Equal("https://p.example.com", patched["spec"]!["url"]!.GetValue<string>());
        Assert.Equal(2, patched.Generation());
        var (code, status) = await Workloads.FailureOf(() => _client.PatchAsync("patches", """{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.StrategicMergePatch));
        Assert.Equal(415, code);
        Assert.Equal("UnsupportedMediaType", status["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_side_apply_creates_merges_and_drops_fields_the_manager_stopped_applying()
    {
        const string first = """{"apiVersion":"workloads.dev/v1alpha1","kind":"RemoteWorkload","metadata":{"name":"ssa","labels":{"a":"1"}},"spec":{"url":"https://a.example.com","oauth":{"tokenUrl":"https://idp.example.com/t","grant":"ClientCredentials","clientId":"c"},"retry":{"maxAttempts":3}}}""";
        const string second = """{"apiVersion":"workloads.dev/v1alpha1","kind":"RemoteWorkload","metadata":{"name":"ssa"},"spec":{"url":"https://b.example.com","oauth":{"tokenUrl":"https://idp.example.com/t","grant":"ClientCredentials","clientId":"c"}}}""";
        Task<JsonObject> Apply(string body) => _client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(new V1Patch(body, V1Patch.PatchType.ApplyPatch), Workloads.Group, Workloads.Version, "default", Workloads.Plural, "ssa", fieldManager: "test", cancellationToken: Ct);

        var created = await Apply(first);
        Assert.Equal(3, created["spec"]!["retry"]!["maxAttempts"]!.GetValue<int>());
        await _client.PatchAsync("ssa", """{"metadata":{"annotations":{"other":"kept"},"labels":{"b":"kept"}}}""", V1Patch.PatchType.MergePatch);

        var reapplied = await Apply(second);
        Assert.Equal("https://b.example.com", reapplied["spec"]!["url"]!.GetValue<string>());
        Assert.Null(reapplied["spec"]!["retry"]);
        Assert.Null(reapplied["metadata"]!["labels"]!["a"]);
        Assert.Equal("kept", reapplied["metadata"]!["labels"]!["b"]!.GetValue<string>());
        Assert.Equal("kept", reapplied["metadata"]!["annotations"]!["other"]!.GetValue<string>());
        Assert.Equal(2, reapplied.Generation());

        var (code, status) = await Workloads.FailureOf(() => _client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(new V1Patch(second, V1Patch.PatchType.ApplyPatch), Workloads.Group, Workloads.Version, "default", Workloads.Plural, "ssa", cancellationToken: Ct));
        Assert.Equal(422, code);
        Assert.Contains("fieldManager: Required value", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_and_field_selectors_filter_lists()
    {
        var ns = await NewNamespaceAsync("selectors");
        foreach (var (name, tier) in new[] { ("s1", "front"), ("s2", "back"), ("s3", "front") })
        {
            var body = Workloads.New(name);
            body["metadata"]!["labels"] = new JsonObject { ["tier"] = tier };
            await _client.CreateAsync(body, ns);
        }

        var front = await _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(Workloads.Group, Workloads.Version, ns, Workloads.Plural, labelSelector: "tier=front", cancellationToken: Ct);
        Assert.Equal(["s1", "s3"], front["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        var notFront = await _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(Workloads.Group, Workloads.Version, ns, Workloads.Plural, labelSelector: "tier notin (front)", cancellationToken: Ct);
        Assert.Single(notFront["items"]!.AsArray());
        var byName = await _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(Workloads.Group, Workloads.Version, ns, Workloads.Plural, fieldSelector: "metadata.name=s2", cancellationToken: Ct);
        Assert.Equal("s2", Assert.Single(byName["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("RemoteWorkloadList", byName["kind"]!.GetValue<string>());
        Assert.NotNull(byName["metadata"]!["resourceVersion"]);
        var page = await _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(Workloads.Group, Workloads.Version, ns, Workloads.Plural, limit: 2, cancellationToken: Ct);
        Assert.Equal(2, page["items"]!.AsArray().Count);
        var rest = await _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(Workloads.Group, Workloads.Version, ns, Workloads.Plural, limit: 2, continueParameter: page["metadata"]!["continue"]!.GetValue<string>(), cancellationToken: Ct);
        Assert.Equal("s3", Assert.Single(rest["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Finalizers_hold_deletion_until_removed()
    {
        var body = Workloads.New("finalized");
        body["metadata"]!["finalizers"] = new JsonArray("workloads.dev/cleanup");
        await _client.CreateAsync(body);
        await _client.DeleteWorkloadAsync("finalized");
        var terminating = await _client.GetWorkloadAsync("finalized");
        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);

        await _client.PatchAsync("finalized", """{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch);
        var (code, _) = await Workloads.FailureOf(() => _client.GetWorkloadAsync("finalized"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Owned_secret_is_garbage_collected_after_its_owner()
    {
        var owner = await _client.CreateAsync(Workloads.New("owner"));
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "owner-token",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "workloads.dev/v1alpha1", Kind = "RemoteWorkload", Name = "owner", Uid = owner["metadata"]!["uid"]!.GetValue<string>(), BlockOwnerDeletion = true, Controller = true }],
            },
            StringData = new Dictionary<string, string> { ["access_token"] = "t" },
        };
        var created = await _client.CoreV1.CreateNamespacedSecretAsync(secret, "default", cancellationToken: Ct);
        Assert.Equal("t", System.Text.Encoding.UTF8.GetString(created.Data["access_token"]));
        Assert.Null(created.StringData);

        await _client.DeleteWorkloadAsync("owner");

        await fixture.ControlPlane.WaitForAsync("", "secrets", "default", "owner-token", s => s is null, TimeSpan.FromSeconds(10), Ct);
        await Eventually.TrueAsync(async () => (await _client.CoreV1.ListNamespacedSecretAsync("default", fieldSelector: "metadata.name=owner-token", cancellationToken: Ct)).Items.Count == 0, "the owned Secret to be deleted");
    }

    [Fact]
    public async Task Foreground_deletion_removes_dependents_before_the_owner()
    {
        var owner = await _client.CreateAsync(Workloads.New("fg-owner"));
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "fg-token",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "workloads.dev/v1alpha1", Kind = "RemoteWorkload", Name = "fg-owner", Uid = owner["metadata"]!["uid"]!.GetValue<string>(), BlockOwnerDeletion = true, Controller = true }],
            },
        }, "default", cancellationToken: Ct);

        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(Workloads.Group, Workloads.Version, "default", Workloads.Plural, "fg-owner", new V1DeleteOptions { PropagationPolicy = "Foreground" }, cancellationToken: Ct);

        await fixture.ControlPlane.WaitForAsync("", "secrets", "default", "fg-token", s => s is null, TimeSpan.FromSeconds(10), Ct);
        await fixture.ControlPlane.WaitForAsync(Workloads.Group, Workloads.Plural, "default", "fg-owner", o => o is null, TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Dependent_whose_owner_no_longer_exists_is_garbage_collected()
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "orphan-token",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "workloads.dev/v1alpha1", Kind = "RemoteWorkload", Name = "gone", Uid = Guid.NewGuid().ToString() }],
            },
        };
        await _client.CoreV1.CreateNamespacedSecretAsync(secret, "default", cancellationToken: Ct);
        await fixture.ControlPlane.WaitForAsync("", "secrets", "default", "orphan-token", s => s is null, TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Leases_and_events_are_served()
    {
        var lease = await _client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "leader" }, Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15 } }, "default", cancellationToken: Ct);
        lease.Spec.HolderIdentity = "b";
        var replaced = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", "default", cancellationToken: Ct);
        Assert.Equal("b", replaced.Spec.HolderIdentity);
        lease.Spec.HolderIdentity = "c";
        var (code, status) = await Workloads.FailureOf(() => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", "default", cancellationToken: Ct));
        Assert.Equal(409, code);
        Assert.Equal("Operation cannot be fulfilled on leases.coordination.k8s.io \"leader\": the object has been modified; please apply your changes to the latest version and try again", status["message"]!.GetValue<string>());

        var ev = await _client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event { Metadata = new V1ObjectMeta { GenerateName = "rw." }, EventTime = DateTime.UtcNow, Reason = "TokenIssued", Note = "ok", Type = "Normal", Action = "Reconcile", ReportingController = "test", ReportingInstance = "test-1", Regarding = new V1ObjectReference { Kind = "RemoteWorkload", Name = "x", NamespaceProperty = "default" } }, "default", cancellationToken: Ct);
        Assert.StartsWith("rw.", ev.Metadata.Name, StringComparison.Ordinal);
        var coreEvent = await _client.CoreV1.CreateNamespacedEventAsync(new Corev1Event { Metadata = new V1ObjectMeta { Name = "core-ev" }, InvolvedObject = new V1ObjectReference { Kind = "RemoteWorkload", Name = "x" }, Reason = "R", Message = "m" }, "default", cancellationToken: Ct);
        Assert.Equal("core-ev", coreEvent.Metadata.Name);

        // One stored resource, two shapes: each API sees the other's writes, converted.
        var asCore = await _client.CoreV1.ReadNamespacedEventAsync(ev.Metadata.Name, "default", cancellationToken: Ct);
        Assert.Equal("ok", asCore.Message);
        Assert.Equal("x", asCore.InvolvedObject.Name);
        Assert.Equal("test", asCore.ReportingComponent);
        var asEventsV1 = await _client.EventsV1.ReadNamespacedEventAsync("core-ev", "default", cancellationToken: Ct);
        Assert.Equal("m", asEventsV1.Note);
        Assert.Equal("x", asEventsV1.Regarding.Name);
        var patched = await _client.EventsV1.PatchNamespacedEventAsync(new V1Patch("""{"note":"patched"}""", V1Patch.PatchType.MergePatch), "core-ev", "default", cancellationToken: Ct);
        Assert.Equal("patched", patched.Note);
        Assert.Equal("patched", (await _client.CoreV1.ReadNamespacedEventAsync("core-ev", "default", cancellationToken: Ct)).Message);
    }

    [Fact]
    public async Task Namespaced_create_in_a_missing_namespace_is_404()
    {
        var (code, status) = await Workloads.FailureOf(() => _client.CreateAsync(Workloads.New("nowhere"), "no-such-namespace"));
        Assert.Equal(404, code);
        Assert.Equal("namespaces \"no-such-namespace\" not found", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Installing_a_crd_serves_its_resource()
    {
        var crd = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: { name: widgets.example.dev }
            spec:
              group: example.dev
              scope: Cluster
              names: { kind: Widget, plural: widgets, singular: widget }
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
            """;
        await fixture.ControlPlane.ApplyYamlAsync(crd, cancellationToken: Ct);
        var created = await _client.CustomObjects.CreateClusterCustomObjectAsync<JsonObject>(new JsonObject { ["apiVersion"] = "example.dev/v1", ["kind"] = "Widget", ["metadata"] = new JsonObject { ["name"] = "w" }, ["spec"] = new JsonObject { ["any"] = 1 } }, "example.dev", "v1", "widgets", cancellationToken: Ct);
        Assert.Equal(1, created["spec"]!["any"]!.GetValue<int>());
        var stored = await _client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.dev", cancellationToken: Ct);
        Assert.Contains(stored.Status.Conditions, c => c.Type == "Established" && c.Status == "True");

        await _client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.example.dev", cancellationToken: Ct);
        var (code, _) = await Workloads.FailureOf(() => _client.CustomObjects.GetClusterCustomObjectAsync("example.dev", "v1", "widgets", "w", Ct));
        Assert.Equal(404, code);
    }

    private async Task<string> NewNamespaceAsync(string prefix)
    {
        var ns = await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = prefix + "-" } }, cancellationToken: Ct);
        return ns.Metadata.Name;
    }
}
