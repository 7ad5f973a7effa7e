using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>Where a row runs: an admin client and a fresh namespace.</summary>
internal sealed record RowContext(RawClient Client, string Namespace)
{
    public string Secrets => $"api/v1/namespaces/{Namespace}/secrets";

    public string Workloads => $"apis/workloads.dev/v1alpha1/namespaces/{Namespace}/remoteworkloads";

    public string Leases => $"apis/coordination.k8s.io/v1/namespaces/{Namespace}/leases";
}

/// <summary>One request → answer pair of kube-apiserver 1.33, with the source that defines the answer.</summary>
/// <param name="Name">What the row proves.</param>
/// <param name="Source">The kubernetes source file and function (tag v1.33) the expected answer comes from.</param>
/// <param name="Run">Sends the request(s) and asserts the answer.</param>
internal sealed record Row(string Name, string Source, Func<RowContext, Task> Run);

/// <summary>
/// The black-box table: each row is a request and the answer the real kube-apiserver gives, pinned to the
/// source that produces it. <see cref="KubeApiServerBehaviourTests"/> runs every row on each backend.
/// </summary>
internal static class KubeApiServerRows
{
    private const string ObjectMetaGo = "staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go";
    private const string CoreValidationGo = "pkg/apis/core/validation/validation.go";

    public static IReadOnlyList<Row> All { get; } =
    [
        new("label_value_longer_than_63_characters_is_422",
            "staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go ValidateLabels; staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go IsValidLabelValue",
            async c =>
            {
                var answer = await c.Client.PostAsync(c.Secrets, Secret("long-label", labels: new JsonObject { ["workloads.dev/workload"] = new string('a', 64) }));
                AssertInvalid(answer, "metadata.labels", "FieldValueInvalid", "must be no more than 63 characters");
            }),
        new("label_key_with_a_space_is_422",
            "staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go ValidateLabelName; staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go IsQualifiedName",
            async c =>
            {
                var answer = await c.Client.PostAsync(c.Secrets, Secret("bad-key", labels: new JsonObject { ["a b"] = "v" }));
                AssertInvalid(answer, "metadata.labels", "FieldValueInvalid", "name part must consist of alphanumeric characters");
            }),
        new("annotations_over_256_KiB_in_total_are_422",
            $"{ObjectMetaGo} ValidateAnnotations (TotalAnnotationSizeLimitB)",
            async c =>
            {
                var answer = await c.Client.PostAsync(c.Secrets, Secret("big-annotations", annotations: new JsonObject { ["a"] = new string('x', 256 * 1024) }));
                AssertInvalid(answer, "metadata.annotations", "FieldValueTooLong", "Too long");
            }),
        new("owner_reference_without_uid_is_422",
            $"{ObjectMetaGo} validateOwnerReference",
            async c =>
            {
                var answer = await c.Client.PostAsync(c.Secrets, Secret("no-uid", owners: [Owner("a", "", controller: true)]));
                AssertInvalid(answer, "metadata.ownerReferences.uid", "FieldValueInvalid", "uid must not be empty");
            }),
        new("two_controller_owner_references_are_422",
            $"{ObjectMetaGo} ValidateOwnerReferences",
            async c =>
            {
                var answer = await c.Client.PostAsync(c.Secrets, Secret("two-controllers", owners: [Owner("a", Guid.NewGuid().ToString(), true), Owner("b", Guid.NewGuid().ToString(), true)]));
                AssertInvalid(answer, "metadata.ownerReferences", "FieldValueInvalid", "Only one reference can have Controller set to true");
            }),
        new("unqualified_finalizer_on_a_core_object_is_422",
            $"{ObjectMetaGo} ValidateFinalizers; {CoreValidationGo} validateKubeFinalizerName",
            async c =>
            {
                var secret = Secret("odd-finalizer");
                secret["metadata"]!["finalizers"] = new JsonArray("not-qualified");
                var answer = await c.Client.PostAsync(c.Secrets, secret);
                AssertInvalid(answer, "metadata.finalizers[0]", "FieldValueInvalid", "name is neither a standard finalizer name nor is it fully qualified");
            }),
        new("changing_a_secret_type_is_422_field_is_immutable",
            $"{CoreValidationGo} ValidateSecretUpdate (ValidateImmutableField on type)",
            async c =>
            {
                var created = (await c.Client.PostAsync(c.Secrets, Secret("typed"))).Object;
                created["type"] = "example.com/other";
                var answer = await c.Client.PutAsync($"{c.Secrets}/typed", created);
                AssertInvalid(answer, "type", "FieldValueInvalid", "field is immutable");
            }),
        new("changing_data_of_an_immutable_secret_is_422",
            $"{CoreValidationGo} ValidateSecretUpdate (immutable)",
            async c =>
            {
                var secret = Secret("frozen");
                secret["immutable"] = true;
                var created = (await c.Client.PostAsync(c.Secrets, secret)).Object;
                created["data"] = new JsonObject { ["k"] = "b3RoZXI=" };
                var answer = await c.Client.PutAsync($"{c.Secrets}/frozen", created);
                AssertInvalid(answer, "data", "FieldValueForbidden", "field is immutable when `immutable` is set");
            }),
        new("making_an_immutable_secret_mutable_and_changing_its_data_is_two_forbidden_causes",
            $"{CoreValidationGo} ValidateSecretUpdate (immutable)",
            async c =>
            {
                var secret = Secret("frozen-twice");
                secret["immutable"] = true;
                var created = (await c.Client.PostAsync(c.Secrets, secret)).Object;
                created["immutable"] = false;
                created["data"] = new JsonObject { ["k"] = "b3RoZXI=" };
                var answer = await c.Client.PutAsync($"{c.Secrets}/frozen-twice", created);
                AssertInvalid(answer, "immutable", "FieldValueForbidden", "field is immutable when `immutable` is set");
                AssertInvalid(answer, "data", "FieldValueForbidden", "field is immutable when `immutable` is set");
            }),
        new("secret_data_key_with_a_slash_is_422",
            $"{CoreValidationGo} ValidateSecret; staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go IsConfigMapKey",
            async c =>
            {
                var answer = await c.Client.PostAsync(c.Secrets, Secret("slash", data: new JsonObject { ["a/b"] = "dg==" }));
                AssertInvalid(answer, "data[a/b]", "FieldValueInvalid", "a valid config key must consist of alphanumeric characters");
            }),
        new("secret_data_over_1_MiB_is_422_too_long",
            $"{CoreValidationGo} ValidateSecret (corev1.MaxSecretSize)",
            async c =>
            {
                var answer = await c.Client.PostAsync(c.Secrets, Secret("huge", data: new JsonObject { ["k"] = Convert.ToBase64String(new byte[(1024 * 1024) + 1]) }));
                AssertInvalid(answer, "data", "FieldValueTooLong", "Too long");
            }),
        new("status_merge_patch_carrying_a_spec_change_keeps_spec_and_generation",
            "staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/status_strategy.go statusStrategy.PrepareForUpdate",
            async c =>
            {
                var created = (await c.Client.PostAsync(c.Workloads, Workload("st"))).Object;
                var answer = await c.Client.MergePatchAsync($"{c.Workloads}/st/status", """{"spec":{"url":"https://changed.example.com"},"status":{"phase":"Running"}}""");
                Assert.Equal(200, answer.Code);
                Assert.Equal("https://svc.example.com/api", answer.Object["spec"]!["url"]!.GetValue<string>());
                Assert.Equal(created.Generation(), answer.Object.Generation());
                Assert.Equal("Running", answer.Object["status"]!["phase"]!.GetValue<string>());
                Assert.NotEqual(created.Rv(), answer.Object.Rv());
            }),
        new("status_merge_patch_with_a_stale_resource_version_is_409_with_plural_details",
            "staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Update (OptimisticLockErrorMsg); staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go NewConflict",
            async c =>
            {
                var created = (await c.Client.PostAsync(c.Workloads, Workload("stale"))).Object;
                await c.Client.MergePatchAsync($"{c.Workloads}/stale/status", """{"status":{"phase":"Pending"}}""");
                var answer = await c.Client.MergePatchAsync($"{c.Workloads}/stale/status", $$$"""{"metadata":{"resourceVersion":"{{{created.Rv()}}}"},"status":{"phase":"Running"}}""");
                Assert.Equal(409, answer.Code);
                Assert.Equal("Conflict", answer.Object["reason"]!.GetValue<string>());
                var details = answer.Object["details"]!;
                Assert.Equal("stale", details["name"]!.GetValue<string>());
                Assert.Equal("workloads.dev", details["group"]!.GetValue<string>());
                Assert.Equal("remoteworkloads", details["kind"]!.GetValue<string>());
            }),
        new("status_merge_patch_of_a_nested_field_keeps_its_siblings",
            "staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go jsonPatcher.applyJSPatch (RFC 7386 merge patch)",
            async c =>
            {
                await c.Client.PostAsync(c.Workloads, Workload("nested"));
                await c.Client.MergePatchAsync($"{c.Workloads}/nested/status", """{"status":{"phase":"AuthRetrying","authRetry":{"attempts":1,"nextAttemptTime":"2030-01-01T00:00:00Z"}}}""");
                var answer = await c.Client.MergePatchAsync($"{c.Workloads}/nested/status", """{"status":{"authRetry":{"attempts":2}}}""");
                Assert.Equal(200, answer.Code);
                Assert.Equal(2, answer.Object["status"]!["authRetry"]!["attempts"]!.GetValue<int>());
                Assert.Equal("2030-01-01T00:00:00Z", answer.Object["status"]!["authRetry"]!["nextAttemptTime"]!.GetValue<string>());
            }),
        new("status_patch_of_a_missing_object_is_404",
            "staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Update (forceAllowCreate false → NewNotFound)",
            async c =>
            {
                var answer = await c.Client.MergePatchAsync($"{c.Workloads}/absent/status", """{"status":{"phase":"Running"}}""");
                Assert.Equal(404, answer.Code);
                Assert.Equal("remoteworkloads", answer.Object["details"]!["kind"]!.GetValue<string>());
            }),
        new("unknown_field_without_field_validation_is_201_with_a_warning_and_pruned",
            "staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go fieldValidation (default Warn); staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go PruneWithOptions",
            async c =>
            {
                var body = Workload("unknown");
                body["spec"]!["foo"] = "bar";
                var answer = await c.Client.PostAsync(c.Workloads, body);
                Assert.Equal(201, answer.Code);
                Assert.Contains(answer.Warnings, w => w.Contains("unknown field \\\"spec.foo\\\"", StringComparison.Ordinal));
                Assert.Null(answer.Object["spec"]!["foo"]);
            }),
        new("status_patch_with_a_field_the_installed_crd_lacks_is_200_with_a_warning_and_the_field_dropped",
            "staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go fieldValidation (default Warn); staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go PruneWithOptions",
            async c =>
            {
                await c.Client.PostAsync(c.Workloads, Workload("newer-operator"));
                var answer = await c.Client.MergePatchAsync($"{c.Workloads}/newer-operator/status", """{"status":{"phase":"Running","fieldFromANewerVersion":"x"}}""");
                Assert.Equal(200, answer.Code);
                Assert.Contains(answer.Warnings, w => w.Contains("unknown field \\\"status.fieldFromANewerVersion\\\"", StringComparison.Ordinal));
                Assert.Equal("Running", answer.Object["status"]!["phase"]!.GetValue<string>());
                Assert.Null(answer.Object["status"]!["fieldFromANewerVersion"]);
            }),
        new("unknown_field_with_strict_field_validation_is_400",
            "staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go unstructuredDecoder (strict decoding error)",
            async c =>
            {
                var body = Workload("strict");
                body["spec"]!["foo"] = "bar";
                var answer = await c.Client.SendAsync(HttpMethod.Post, $"{c.Workloads}?fieldValidation=Strict", body.ToJsonString());
                Assert.Equal(400, answer.Code);
                Assert.Contains("strict decoding error: unknown field \"spec.foo\"", answer.Message, StringComparison.Ordinal);
            }),
        new("null_in_a_non_nullable_field_is_pruned_not_refused",
            "staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/prunenulls.go PruneNonNullableNullsWithoutDefaults",
            async c =>
            {
                var body = Workload("nulls");
                body["spec"]!["oauth"]!["scopes"] = null;
                var answer = await c.Client.PostAsync(c.Workloads, body);
                Assert.Equal(201, answer.Code);
                Assert.False(answer.Object["spec"]!["oauth"]!.AsObject().ContainsKey("scopes"));
            }),
        new("relative_reference_in_a_uri_field_is_422",
            "staging/src/k8s.io/kube-openapi/pkg/validation/strfmt/default.go IsURI (net/url ParseRequestURI); staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/validation/formats.go supported formats",
            async c =>
            {
                var body = Workload("uri");
                body["spec"]!["oauth"]!["resource"] = "my-api";
                var answer = await c.Client.PostAsync(c.Workloads, body);
                AssertInvalid(answer, "spec.oauth.resource", "FieldValueInvalid", "must be of type uri");
            }),
        new("trailing_newline_does_not_match_a_dollar_anchored_pattern",
            "vendor/k8s.io/kube-openapi/pkg/validation/validate/values.go Pattern (Go regexp: $ is end of text)",
            async c =>
            {
                var body = Workload("newline");
                body["spec"]!["oauth"]!["clientSecretRef"]!["name"] = "s\n";
                var answer = await c.Client.PostAsync(c.Workloads, body);
                AssertInvalid(answer, "spec.oauth.clientSecretRef.name", "FieldValueInvalid", "should match");
            }),
        new("deleting_a_workload_with_a_finalizer_marks_it_and_refuses_new_finalizers",
            "staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go markAsDeleting; staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go DeleteResource; " + ObjectMetaGo + " ValidateNoNewFinalizers",
            async c =>
            {
                var body = Workload("final");
                body["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
                var created = (await c.Client.PostAsync(c.Workloads, body)).Object;
                var deleted = await c.Client.DeleteAsync($"{c.Workloads}/final");
                Assert.Equal(200, deleted.Code);
                Assert.NotNull(deleted.Object["metadata"]!["deletionTimestamp"]);
                Assert.Equal(created.Generation() + 1, deleted.Object.Generation());
                var answer = await c.Client.MergePatchAsync($"{c.Workloads}/final", """{"metadata":{"finalizers":["example.com/hold","example.com/more"]}}""");
                AssertInvalid(answer, "metadata.finalizers", "FieldValueForbidden", "no new finalizers can be added if the object is being deleted");
                var released = await c.Client.MergePatchAsync($"{c.Workloads}/final", """{"metadata":{"finalizers":null}}""");
                Assert.Equal(200, released.Code);
            }),
        new("put_with_the_current_resource_version_and_another_uid_is_409_precondition",
            "staging/src/k8s.io/apiserver/pkg/registry/rest/update.go defaultUpdatedObjectInfo.Preconditions; staging/src/k8s.io/apiserver/pkg/storage/interfaces.go Preconditions.Check",
            async c =>
            {
                var created = (await c.Client.PostAsync(c.Workloads, Workload("uid"))).Object;
                created["metadata"]!["uid"] = Guid.NewGuid().ToString();
                var answer = await c.Client.PutAsync($"{c.Workloads}/uid", created);
                Assert.Equal(409, answer.Code);
                Assert.Contains("Precondition failed: UID in precondition", answer.Message, StringComparison.Ordinal);
            }),
        new("put_of_a_lease_without_resource_version_is_422",
            "pkg/registry/coordination/lease/strategy.go AllowUnconditionalUpdate; staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Update",
            async c =>
            {
                var lease = new JsonObject { ["apiVersion"] = "coordination.k8s.io/v1", ["kind"] = "Lease", ["metadata"] = new JsonObject { ["name"] = "l" }, ["spec"] = new JsonObject { ["holderIdentity"] = "a" } };
                Assert.Equal(201, (await c.Client.PostAsync(c.Leases, lease)).Code);
                lease["spec"]!["holderIdentity"] = "b";
                var answer = await c.Client.PutAsync($"{c.Leases}/l", lease);
                AssertInvalid(answer, "metadata.resourceVersion", "FieldValueInvalid", "must be specified for an update");
                Assert.Equal("leases", answer.Object["details"]!["kind"]!.GetValue<string>());
            }),
        new("watch_from_a_compacted_resource_version_is_200_with_one_410_error_event",
            "staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go getAllEventsSinceLocked (NewTooLargeResourceVersionError / too old resource version)",
            async c =>
            {
                var answer = await c.Client.GetAsync($"{c.Workloads}?watch=true&resourceVersion=1&timeoutSeconds=5");
                Assert.Equal(200, answer.Code);
                var lines = answer.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var error = JsonNode.Parse(Assert.Single(lines))!;
                Assert.Equal("ERROR", error["type"]!.GetValue<string>());
                Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
            }),
        new("send_initial_events_without_resource_version_match_is_422",
            "staging/src/k8s.io/apiserver/pkg/apis/meta/internalversion/validation/validation.go validateWatchOptions",
            async c =>
            {
                var answer = await c.Client.GetAsync($"{c.Workloads}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true");
                AssertInvalid(answer, "resourceVersionMatch", "FieldValueForbidden", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
            }),
        new("non_structural_crd_is_422",
            "staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go validateStructuralInvariants",
            async c =>
            {
                var group = $"{c.Namespace}.example.com";
                var crd = JsonNode.Parse("""
                    {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"things.GROUP"},
                     "spec":{"group":"GROUP","scope":"Namespaced","names":{"plural":"things","singular":"thing","kind":"Thing","listKind":"ThingList"},
                      "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}}}]}}
                    """.Replace("GROUP", group, StringComparison.Ordinal))!;
                var answer = await c.Client.PostAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
                AssertInvalid(answer, "spec.versions[0].schema.openAPIV3Schema.properties[spec].type", "FieldValueRequired", "must not be empty for specified object fields");
            }),
        new("crd_whose_default_does_not_validate_is_422",
            "staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/validation.go ValidateDefaults",
            async c =>
            {
                var group = $"{c.Namespace}.example.com";
                var crd = JsonNode.Parse("""
                    {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"modes.GROUP"},
                     "spec":{"group":"GROUP","scope":"Namespaced","names":{"plural":"modes","singular":"mode","kind":"Mode","listKind":"ModeList"},
                      "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object",
                        "properties":{"mode":{"type":"string","enum":["A","B"],"default":"C"}}}}}}}]}}
                    """.Replace("GROUP", group, StringComparison.Ordinal))!;
                var answer = await c.Client.PostAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
                Assert.True(answer.Code == 422, $"expected 422, got {answer.Code}: {answer.Text}");
                Assert.Contains(answer.Causes, cause => cause.Field == "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[mode].default" && cause.Reason == "FieldValueNotSupported");
            }),
    ];

    public static Row Find(string name) => All.Single(r => r.Name == name);

    public static JsonObject Secret(string name, JsonObject? labels = null, JsonObject? annotations = null, JsonArray? owners = null, JsonObject? data = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            metadata["labels"] = labels;
        }

        if (annotations is not null)
        {
            metadata["annotations"] = annotations;
        }

        if (owners is not null)
        {
            metadata["ownerReferences"] = owners;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = metadata, ["data"] = data ?? new JsonObject { ["k"] = "dg==" } };
    }

    private static JsonObject Owner(string name, string uid, bool controller) =>
        new() { ["apiVersion"] = "workloads.dev/v1alpha1", ["kind"] = "RemoteWorkload", ["name"] = name, ["uid"] = uid, ["controller"] = controller };

    private static JsonObject Workload(string name) => Support.Workloads.New(name);

    /// <summary>A 422 Invalid Status with a cause on <paramref name="field"/> of <paramref name="reason"/> whose message contains <paramref name="message"/>.</summary>
    public static void AssertInvalid(RawAnswer answer, string field, string reason, string message)
    {
        Assert.True(answer.Code == 422, $"expected 422, got {answer.Code}: {answer.Text}");
        Assert.Equal("Invalid", answer.Object["reason"]!.GetValue<string>());
        Assert.True(
            answer.Causes.Any(c => c.Field == field && c.Reason == reason && c.Message.Contains(message, StringComparison.Ordinal)),
            $"no cause {field} {reason} containing \"{message}\" in {answer.Text}");
    }
}
