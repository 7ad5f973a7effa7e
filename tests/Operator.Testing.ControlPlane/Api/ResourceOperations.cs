using System.Text;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Patching;
using RemoteWorkloadOperator.Testing.ControlPlane.Storage;
using RemoteWorkloadOperator.Testing.ControlPlane.Validation;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>Write options of one request (query parameters that shape a write).</summary>
public sealed record WriteOptions
{
    public bool DryRun { get; init; }

    /// <summary>Strict, Warn or Ignore. The real server defaults an absent parameter to Warn
    /// (<c>staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go</c> <c>fieldValidation</c>).</summary>
    public string FieldValidation { get; init; } = "Warn";

    public string? FieldManager { get; init; }

    public bool Force { get; init; }

    /// <summary>
    /// Validating admission for this request, called with (old or null, new) once the object is final and
    /// valid; throws to refuse. Null = none (in-process writes).
    /// </summary>
    public Action<JsonObject?, JsonObject>? Admit { get; init; }

    /// <summary>Warnings to return in the Warning header (fieldValidation=Warn).</summary>
    public List<string> Warnings { get; } = [];
}

/// <summary>
/// The storage semantics of the API server, independent of HTTP: create, update (main and status),
/// patch, server-side apply, delete with finalizers, garbage collection, CRD installation.
/// </summary>
public sealed class ResourceOperations(ObjectStore store, ResourceRegistry registry)
{
    private const string CrdKey = "apiextensions.k8s.io/customresourcedefinitions";
    private readonly Dictionary<string, JsonObject> _lastApplied = [];

    public ObjectStore Store => store;

    public ResourceRegistry Registry => registry;

    /// <summary>Reads an object as the given version (404 if absent).</summary>
    public JsonObject Get(ResourceType type, string ns, string name)
    {
        var obj = store.Get(type.StorageKey, ns, name) ?? throw Status.NotFound(type, name);
        return AsVersion(type, obj);
    }

    public static JsonObject AsVersion(ResourceType type, JsonObject obj)
    {
        if (type.FromStorage is not null && obj["apiVersion"]?.GetValue<string>() != type.ApiVersion)
        {
            obj = type.FromStorage(obj);
        }

        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        return obj;
    }

    public JsonObject Create(ResourceType type, string ns, JsonObject body, WriteOptions options)
    {
        CheckKind(type, body);
        var metadata = ObjectMeta.Of(body);
        if (type.Namespaced)
        {
            var bodyNs = ObjectMeta.Namespace(body);
            if (bodyNs.Length > 0 && bodyNs != ns)
            {
                throw Status.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
            ns = "";
        }

        var name = ObjectMeta.Name(body);
        if (name.Length == 0 && ObjectMeta.Str(body, "generateName") is { Length: > 0 } prefix)
        {
            name = prefix + RandomSuffix();
            metadata["name"] = name;
        }

        if (name.Length == 0)
        {
            throw Status.Invalid(type.Kind, type.Group, "", [FieldError.Required("metadata.name", "name or generateName is required")]);
        }

        if (ObjectMeta.ValidateName(name, type.Plural == "namespaces") is { } nameError)
        {
            throw Status.Invalid(type.Kind, type.Group, name, [nameError]);
        }

        if (type.HasStatus && type.IsCustom)
        {
            body.Remove("status");
        }

        Prepare(type, body, null, options);
        lock (store.Gate)
        {
            if (type.Namespaced)
            {
                var nsObj = store.Get("/namespaces", "", ns) ?? throw Status.NamespaceNotFound(ns);
                if (nsObj["metadata"]?["deletionTimestamp"] is not null)
                {
                    throw new ApiException(403, "Forbidden", $"{type.GroupResource} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", Status.Details(type, name));
                }
            }

            if (store.Get(type.StorageKey, ns, name) is not null)
            {
                throw Status.AlreadyExists(type, name);
            }

            metadata.Remove("resourceVersion");
            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = ObjectMeta.Now();
            if (TracksGeneration(type))
            {
                metadata["generation"] = 1;
            }
            else
            {
                metadata.Remove("generation");
            }

            if (options.DryRun)
            {
                return AsVersion(type, body);
            }

            var stored = store.Put(type.StorageKey, ns, name, ToStored(type, body));
            AfterWrite(type, stored);
            return AsVersion(type, stored);
        }
    }

    /// <summary>PUT semantics. <paramref name="subresource"/> is null or "status".</summary>
    public JsonObject Update(ResourceType type, string ns, string name, JsonObject body, string? subresource, WriteOptions options)
    {
        CheckKind(type, body);
        if (ObjectMeta.Name(body) is { Length: > 0 } bodyName && bodyName != name)
        {
            throw Status.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        lock (store.Gate)
        {
            var current = store.Get(type.StorageKey, ns, name) ?? throw Status.NotFound(type, name);
            var requested = ObjectMeta.Str(body, "resourceVersion");
            if (string.IsNullOrEmpty(requested) && !type.AllowUnconditionalUpdate)
            {
                // registry/generic/registry/store.go Update: the "kind" of this Invalid is the resource (plural).
                throw Status.Invalid(type.Plural, type.Group, name, [FieldError.Invalid("metadata.resourceVersion", "0x0", "must be specified for an update")]);
            }

            // registry/rest/update.go defaultUpdatedObjectInfo.Preconditions: a uid in the body is a
            // precondition, checked by storage (storage/interfaces.go Preconditions.Check) and answered as 409.
            if (ObjectMeta.Str(body, "uid") is { Length: > 0 } uid && uid != ObjectMeta.Str(current, "uid"))
            {
                throw Status.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Str(current, "uid")}");
            }

            if (!string.IsNullOrEmpty(requested) && requested != ObjectMeta.Str(current, "resourceVersion"))
            {
                throw Status.Conflict(type, name);
            }

            return Commit(type, ns, name, current, body, subresource, options);
        }
    }

    public JsonObject Patch(ResourceType type, string ns, string name, string contentType, string body, string? subresource, WriteOptions options)
    {
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == "application/apply-patch+yaml" || mediaType == "application/apply-patch+json" || mediaType == "application/apply-patch+cbor")
        {
            return Apply(type, ns, name, body, subresource, options);
        }

        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Status.BadRequest($"error decoding patch: {e.Message}");
        }

        lock (store.Gate)
        {
            var current = AsVersion(type, store.Get(type.StorageKey, ns, name) ?? throw Status.NotFound(type, name));
            JsonNode? patched = mediaType switch
            {
                "application/json-patch+json" => patch is JsonArray ops ? JsonPatch.Apply(current, ops) : throw Status.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
                "application/merge-patch+json" => JsonMergePatch.Apply(current, patch),
                "application/strategic-merge-patch+json" when !type.IsCustom => StrategicMergePatch.Apply(current, patch),
                _ => throw Status.UnsupportedMediaType(mediaType, type.IsCustom
                    ? ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
                    : ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml", "application/strategic-merge-patch+json"]),
            };
            if (patched is not JsonObject result)
            {
                throw Status.BadRequest("the patched object is not a JSON object");
            }

            var patchedVersion = ObjectMeta.Str(result, "resourceVersion");
            if (!string.IsNullOrEmpty(patchedVersion) && patchedVersion != ObjectMeta.Str(current, "resourceVersion"))
            {
                throw Status.Conflict(type, name);
            }

            if (ObjectMeta.Name(result) != name)
            {
                throw Status.BadRequest($"the name of the object ({ObjectMeta.Name(result)}) does not match the name on the URL ({name})");
            }

            // A patch that changes the uid is not a precondition but an update of an immutable field
            // (apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMetaAccessorUpdate).
            if (ObjectMeta.Str(result, "uid") is { } patchedUid && patchedUid != ObjectMeta.Str(current, "uid"))
            {
                throw Status.Invalid(type.Kind, type.Group, name, [FieldError.Invalid("metadata.uid", Validation.ObjectMetaValidation.Quote(patchedUid), "field is immutable")]);
            }

            return Commit(type, ns, name, current, result, subresource, options);
        }
    }

    /// <summary>Server-side apply (simplified merge; see <see cref="ApplyMerge"/>). Creates the object when absent.</summary>
    public JsonObject Apply(ResourceType type, string ns, string name, string body, string? subresource, WriteOptions options)
    {
        if (string.IsNullOrEmpty(options.FieldManager))
        {
            throw Status.Invalid("PatchOptions", "meta.k8s.io", "", [FieldError.Required("fieldManager", "is required for apply patch")]);
        }

        JsonObject applied;
        try
        {
            applied = Yaml.YamlJson.ReadOne(body) as JsonObject ?? throw Status.BadRequest("the apply body is not an object");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw Status.BadRequest($"error decoding YAML: {e.Message}");
        }

        CheckKind(type, applied);
        lock (store.Gate)
        {
            var current = store.Get(type.StorageKey, ns, name);
            JsonObject result;
            if (current is null)
            {
                if (subresource is not null)
                {
                    throw Status.NotFound(type, name);
                }

                ObjectMeta.Of(applied)["name"] = name;
                result = Create(type, ns, applied.DeepClone().AsObject(), options);
            }
            else
            {
                current = AsVersion(type, current);
                _lastApplied.TryGetValue($"{ObjectMeta.Str(current, "uid")}/{subresource}/{options.FieldManager}", out var previous);
                var merged = ApplyMerge.Merge(current, applied, previous, type.Schema);
                ObjectMeta.Of(merged)["resourceVersion"] = ObjectMeta.Str(current, "resourceVersion");
                result = Commit(type, ns, name, current, merged, subresource, options);
            }

            if (!options.DryRun)
            {
                // Keyed by uid: a deleted and recreated object starts with no applied history.
                _lastApplied[$"{ObjectMeta.Str(result, "uid")}/{subresource}/{options.FieldManager}"] = applied;
            }

            return result;
        }
    }

    /// <summary>Deletes an object: with finalizers it only gets a deletionTimestamp; dependents are garbage-collected afterwards unless orphaned.</summary>
    public JsonObject Delete(ResourceType type, string ns, string name, JsonObject? deleteOptions, string? propagationPolicy, bool dryRun)
    {
        var policy = propagationPolicy ?? deleteOptions?["propagationPolicy"]?.GetValue<string>() ?? (deleteOptions?["orphanDependents"]?.GetValue<bool>() == true ? "Orphan" : "Background");
        JsonObject result;
        var removed = false;
        lock (store.Gate)
        {
            var current = store.Get(type.StorageKey, ns, name) ?? throw Status.NotFound(type, name);
            var preconditions = deleteOptions?["preconditions"];
            if (preconditions?["uid"]?.GetValue<string>() is { } uid && uid != ObjectMeta.Str(current, "uid"))
            {
                throw Status.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Str(current, "uid")}");
            }

            if (preconditions?["resourceVersion"]?.GetValue<string>() is { } rv && rv != ObjectMeta.Str(current, "resourceVersion"))
            {
                throw Status.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {ObjectMeta.Str(current, "resourceVersion")}");
            }

            if (dryRun)
            {
                return AsVersion(type, current);
            }

            var finalizers = ObjectMeta.Finalizers(current);
            if (policy == "Orphan" && ObjectMeta.Finalizers(current).Count == 0)
            {
                var dependents = Dependents(ObjectMeta.Str(current, "uid") ?? "");
                if (dependents.Count > 0)
                {
                    Orphan(dependents, ObjectMeta.Str(current, "uid") ?? "");
                }
            }

            var foreground = policy == "Foreground" && type.Plural != "namespaces" && current["metadata"]?["deletionTimestamp"] is null
                && Dependents(ObjectMeta.Str(current, "uid") ?? "").Count > 0;
            if (foreground)
            {
                // Foreground cascading deletion: the owner waits (finalizer foregroundDeletion) for its dependents.
                var list = current["metadata"]?["finalizers"] as JsonArray ?? new JsonArray();
                list.Add("foregroundDeletion");
                ObjectMeta.Of(current)["finalizers"] = list;
                finalizers = ObjectMeta.Finalizers(current);
                var ownerUid = ObjectMeta.Str(current, "uid") ?? "";
                _ = Task.Run(() => FinishForegroundDeletion(type, ns, name, ownerUid));
            }

            if (type.Plural == "namespaces" || finalizers.Count > 0)
            {
                var metadata = ObjectMeta.Of(current);
                if (metadata["deletionTimestamp"] is null)
                {
                    metadata["deletionTimestamp"] = ObjectMeta.Now();
                    metadata["deletionGracePeriodSeconds"] = 0;

                    // registry/generic/registry/store.go markAsDeleting: the first deletionTimestamp bumps
                    // generation (when the kind tracks it), so controllers see a new generation to react to.
                    if (metadata["generation"] is JsonValue generation && generation.GetValue<long>() > 0)
                    {
                        metadata["generation"] = generation.GetValue<long>() + 1;
                    }
                    if (type.Plural == "namespaces")
                    {
                        current["status"] = new JsonObject { ["phase"] = "Terminating" };
                    }

                    result = store.Put(type.StorageKey, ns, name, current);
                }
                else
                {
                    result = current;
                }
            }
            else
            {
                result = store.Remove(type.StorageKey, ns, name)!;
                removed = true;
                AfterDelete(type, result);
            }
        }

        if (type.Plural == "namespaces" && type.Group.Length == 0)
        {
            _ = Task.Run(() => FinalizeNamespace(name));
        }
        else if (removed && policy != "Orphan")
        {
            _ = Task.Run(() => CollectGarbage(ObjectMeta.Str(result, "uid") ?? ""));
        }

        return AsVersion(type, result);
    }

    private JsonObject Commit(ResourceType type, string ns, string name, JsonObject current, JsonObject body, string? subresource, WriteOptions options)
    {
        JsonObject next;
        if (subresource == "status")
        {
            if (!type.HasStatus)
            {
                throw Status.NotFoundPath();
            }

            next = current.DeepClone().AsObject();
            if (body["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
            else
            {
                next.Remove("status");
            }
        }
        else
        {
            next = body.DeepClone().AsObject();
            if (type.HasStatus && type.IsCustom)
            {
                if (current["status"] is { } status)
                {
                    next["status"] = status.DeepClone();
                }
                else
                {
                    next.Remove("status");
                }
            }

            var metadata = ObjectMeta.Of(next);
            var currentMetadata = ObjectMeta.Of(current);
            foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace" })
            {
                if (currentMetadata[field] is { } value)
                {
                    metadata[field] = value.DeepClone();
                }
                else
                {
                    metadata.Remove(field);
                }
            }

            metadata["name"] = name;
        }

        Prepare(type, next, current, options);
        ObjectMeta.Of(next)["resourceVersion"] = ObjectMeta.Str(current, "resourceVersion");
        next = AsVersion(type, next);
        if (JsonNode.DeepEquals(ObjectMeta.Comparable(next), ObjectMeta.Comparable(AsVersion(type, current.DeepClone().AsObject()))))
        {
            return AsVersion(type, current);
        }

        if (TracksGeneration(type) && !JsonNode.DeepEquals(ObjectMeta.SpecPart(next), ObjectMeta.SpecPart(current)))
        {
            ObjectMeta.Of(next)["generation"] = (current["metadata"]?["generation"]?.GetValue<long>() ?? 0) + 1;
        }

        if (options.DryRun)
        {
            return next;
        }

        if (ObjectMeta.Of(next)["deletionTimestamp"] is not null && ObjectMeta.Finalizers(next).Count == 0 && type.Plural != "namespaces")
        {
            var final = store.Put(type.StorageKey, ns, name, ToStored(type, next));
            var removed = store.Remove(type.StorageKey, ns, name)!;
            AfterDelete(type, removed);
            _ = Task.Run(() => CollectGarbage(ObjectMeta.Str(final, "uid") ?? ""));
            return AsVersion(type, removed);
        }

        var stored = store.Put(type.StorageKey, ns, name, ToStored(type, next));
        AfterWrite(type, stored);
        return AsVersion(type, stored);
    }

    private static JsonObject ToStored(ResourceType type, JsonObject obj) => type.ToStorage is null ? obj : type.ToStorage(obj);

    private static bool TracksGeneration(ResourceType type) =>
        type.IsCustom || type.Plural is "customresourcedefinitions" or "deployments";

    private static void CheckKind(ResourceType type, JsonObject body)
    {
        var kind = body["kind"]?.GetValue<string>();
        var apiVersion = body["apiVersion"]?.GetValue<string>();
        if ((kind is not null && kind != type.Kind) || (apiVersion is not null && ResourceRegistry.SplitApiVersion(apiVersion).Group != type.Group))
        {
            throw Status.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        body["kind"] = type.Kind;
        body["apiVersion"] = type.ApiVersion;
    }

    /// <summary>Type-specific preparation: Secret stringData, CRD status, namespace phase, and schema handling for custom resources.</summary>
    private void Prepare(ResourceType type, JsonObject obj, JsonObject? old, WriteOptions options)
    {
        switch (type.StorageKey)
        {
            case "/secrets":
                if (obj["stringData"] is JsonObject stringData)
                {
                    var data = obj["data"] as JsonObject ?? new JsonObject();
                    foreach (var (key, value) in stringData)
                    {
                        data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
                    }

                    obj["data"] = data;
                    obj.Remove("stringData");
                }

                obj["type"] ??= "Opaque";
                var errors = new List<FieldError>();
                foreach (var (key, value) in obj["data"] as JsonObject ?? [])
                {
                    var text = value?.GetValue<string>() ?? "";
                    if (!Convert.TryFromBase64String(text, new byte[text.Length], out _))
                    {
                        errors.Add(FieldError.Invalid($"data[{key}]", "\"<secret contents redacted>\"", "illegal base64 data"));
                    }
                }

                if (errors.Count > 0)
                {
                    throw Status.BadRequest($"Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0");
                }

                break;
            case "/namespaces":
                if (obj["status"]?["phase"] is null)
                {
                    obj["status"] = new JsonObject { ["phase"] = "Active" };
                }

                obj["spec"] ??= new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                ObjectMeta.Of(obj)["labels"] ??= new JsonObject();
                ObjectMeta.Of(obj)["labels"]!["kubernetes.io/metadata.name"] = ObjectMeta.Name(obj);
                break;
            case CrdKey:
                ValidateCrd(obj);
                var names = obj["spec"]?["names"]?.DeepClone() ?? new JsonObject();
                if (names["singular"] is null)
                {
                    names["singular"] = names["kind"]?.GetValue<string>()?.ToLowerInvariant();
                }

                names["listKind"] ??= names["kind"]?.GetValue<string>() + "List";
                var now = old?["status"]?["conditions"]?[0]?["lastTransitionTime"]?.GetValue<string>() ?? ObjectMeta.Now();
                obj["status"] = new JsonObject
                {
                    ["acceptedNames"] = names,
                    ["conditions"] = new JsonArray(
                        new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found", ["lastTransitionTime"] = now },
                        new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted", ["lastTransitionTime"] = now }),
                    ["storedVersions"] = new JsonArray([.. (obj["spec"]?["versions"] as JsonArray ?? []).Where(v => v?["storage"]?.GetValue<bool>() == true).Select(v => (JsonNode?)v!["name"]!.GetValue<string>())]),
                };
                break;
        }

        // Metadata first, then the kind's own rules, then the schema: one 422 with every cause, in the
        // order the real strategies append them (ValidateObjectMetaAccessor, then the type's Validate).
        var invalid = ObjectMetaValidation.Validate(obj, coreGroup: type.Group.Length == 0);
        if (old is not null)
        {
            invalid.AddRange(ObjectMetaValidation.ValidateUpdate(obj, old));
        }

        if (type.StorageKey == "/secrets")
        {
            invalid.AddRange(old is null ? SecretValidation.Validate(obj) : SecretValidation.ValidateUpdate(obj, old));
        }

        if (type.IsCustom && type.Schema is { } schema)
        {
            SchemaValidator.PruneNonNullableNulls(obj, schema);
            var unknown = SchemaValidator.Prune(obj, schema);
            if (unknown.Count > 0)
            {
                switch (options.FieldValidation)
                {
                    case "Strict":
                        var list = string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""));
                        throw Status.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {list}");
                    case "Warn":
                        options.Warnings.AddRange(unknown.Select(u => $"unknown field \"{u}\""));
                        break;
                }
            }

            SchemaValidator.ApplyDefaults(obj, schema);
            invalid.AddRange(SchemaValidator.Validate(obj, schema, old is null ? null : StripMeta(old)));
        }

        if (invalid.Count > 0)
        {
            throw Status.Invalid(type.Kind, type.Group, ObjectMeta.Name(obj), invalid);
        }

        options.Admit?.Invoke(old, obj);
    }

    private static JsonObject StripMeta(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("metadata");
        copy.Remove("apiVersion");
        copy.Remove("kind");
        return copy;
    }

    private static void ValidateCrd(JsonObject crd)
    {
        var name = ObjectMeta.Name(crd);
        var group = crd["spec"]?["group"]?.GetValue<string>() ?? "";
        var plural = crd["spec"]?["names"]?["plural"]?.GetValue<string>() ?? "";
        var errors = new List<FieldError>();
        if (name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", $"\"{name}\"", "must be spec.names.plural+\".\"+spec.group"));
        }

        if (crd["spec"]?["versions"] is not JsonArray { Count: > 0 } versions)
        {
            errors.Add(FieldError.Required("spec.versions", "must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => v?["storage"]?.GetValue<bool>() == true) != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", "[]apiextensions.CustomResourceDefinitionVersion", "must have exactly one version marked as storage version"));
        }

        if (crd["spec"]?["names"]?["kind"] is null)
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }

        errors.AddRange(StructuralSchema.Validate(crd));

        if (errors.Count > 0)
        {
            throw Status.Invalid("CustomResourceDefinition", "apiextensions.k8s.io", name, errors);
        }
    }

    private void AfterWrite(ResourceType type, JsonObject stored)
    {
        if (type.StorageKey == CrdKey && stored["metadata"]?["deletionTimestamp"] is null)
        {
            registry.Install(stored);
        }

        // The real collector's graph builder sees a dependent whose owners are all absent and deletes it
        // (garbagecollector.go attemptToDeleteItem); here that is decided on the write itself.
        if (stored["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 } refs
            && stored["metadata"]?["deletionTimestamp"] is null
            && refs.All(r => r?["uid"]?.GetValue<string>() is not { } uid || !store.ContainsUid(uid)))
        {
            var (ns, name, uid) = (ObjectMeta.Namespace(stored), ObjectMeta.Name(stored), ObjectMeta.Str(stored, "uid"));
            _ = Task.Run(() => DeleteIfStill(type, ns, name, uid));
        }
    }

    private void DeleteIfStill(ResourceType type, string ns, string name, string? uid)
    {
        try
        {
            Delete(type, ns, name, new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = uid } }, "Background", dryRun: false);
        }
        catch (ApiException)
        {
            // Deleted or replaced meanwhile: nothing to collect.
        }
    }

    private void AfterDelete(ResourceType type, JsonObject removed)
    {
        if (type.StorageKey != CrdKey)
        {
            return;
        }

        var name = ObjectMeta.Name(removed);
        var group = removed["spec"]?["group"]?.GetValue<string>() ?? "";
        var plural = removed["spec"]?["names"]?["plural"]?.GetValue<string>() ?? "";
        registry.Uninstall(name);
        foreach (var item in store.List($"{group}/{plural}", null).Items)
        {
            store.Remove($"{group}/{plural}", ObjectMeta.Namespace(item), ObjectMeta.Name(item));
        }
    }

    private List<(string StorageKey, JsonObject Object)> Dependents(string ownerUid) => store.DependentsOf(ownerUid);

    private void Orphan(List<(string StorageKey, JsonObject Object)> dependents, string ownerUid)
    {
        foreach (var (key, obj) in dependents)
        {
            var refs = (JsonArray)obj["metadata"]!["ownerReferences"]!;
            foreach (var r in refs.Where(r => r?["uid"]?.GetValue<string>() == ownerUid).ToList())
            {
                refs.Remove(r);
            }

            store.Put(key, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj), obj);
        }
    }

    private async Task FinishForegroundDeletion(ResourceType type, string ns, string name, string ownerUid)
    {
        foreach (var (key, obj) in Dependents(ownerUid))
        {
            if (registry.All.FirstOrDefault(t => t.StorageKey == key) is { } dependentType)
            {
                try
                {
                    Delete(dependentType, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj), null, "Foreground", dryRun: false);
                }
                catch (ApiException)
                {
                    // Already gone.
                }
            }
        }

        while (Dependents(ownerUid).Any(d => d.Object["metadata"]?["ownerReferences"]?.AsArray().Any(r => r?["uid"]?.GetValue<string>() == ownerUid && r["blockOwnerDeletion"]?.GetValue<bool>() == true) == true))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        lock (store.Gate)
        {
            var owner = store.Get(type.StorageKey, ns, name);
            if (owner is null || ObjectMeta.Str(owner, "uid") != ownerUid)
            {
                return;
            }

            var updated = owner.DeepClone().AsObject();
            var remaining = ObjectMeta.Finalizers(updated).Where(f => f != "foregroundDeletion").ToList();
            ObjectMeta.Of(updated)["finalizers"] = new JsonArray([.. remaining.Select(f => (JsonNode?)f)]);
            Commit(type, ns, name, AsVersion(type, owner), AsVersion(type, updated), null, new WriteOptions());
        }
    }

    /// <summary>Deletes the dependents of a deleted owner whose every owner is gone (background propagation).</summary>
    /// <remarks>
    /// kube-apiserver itself collects nothing: the garbage collector controller of kube-controller-manager
    /// (k8s.io/kubernetes pkg/controller/garbagecollector) builds a dependency graph from informers of every
    /// resource (graph_builder.go: each node knows its owners and dependents, fed by watch events) and works a queue of
    /// nodes whose owners may be gone. Ours is driven by the delete itself: the store's owner-uid index
    /// (<see cref="ObjectStore.DependentsOf"/>) answers "who depends on this uid" in the size of the answer, so there is
    /// no graph, no informer lag and no periodic sweep of the store. Differences a test could notice: collection starts
    /// moments after the delete rather than after the controller's watch delivers it, and owners are matched by uid alone.
    /// </remarks>
    public void CollectGarbage(string ownerUid)
    {
        if (ownerUid.Length == 0)
        {
            return;
        }

        foreach (var (key, obj) in Dependents(ownerUid))
        {
            var refs = (obj["metadata"]?["ownerReferences"] as JsonArray)!;
            var type = registry.All.FirstOrDefault(t => t.StorageKey == key);
            if (type is null)
            {
                continue;
            }

            try
            {
                if (refs.All(r => r?["uid"]?.GetValue<string>() is not { } uid || !store.ContainsUid(uid)))
                {
                    Delete(type, ObjectMeta.Namespace(obj), ObjectMeta.Name(obj), null, "Background", dryRun: false);
                }
            }
            catch (ApiException)
            {
                // Already gone: nothing to collect.
            }
        }
    }

    private void FinalizeNamespace(string ns)
    {
        foreach (var (key, obj) in store.All().Where(e => ObjectMeta.Namespace(e.Object) == ns))
        {
            var type = registry.All.FirstOrDefault(t => t.StorageKey == key && t.Namespaced);
            if (type is null)
            {
                continue;
            }

            try
            {
                Delete(type, ns, ObjectMeta.Name(obj), null, "Background", dryRun: false);
            }
            catch (ApiException)
            {
                // Deleted concurrently.
            }
        }

        lock (store.Gate)
        {
            if (store.All().All(e => ObjectMeta.Namespace(e.Object) != ns || e.StorageKey == "/namespaces"))
            {
                store.Remove("/namespaces", "", ns);
            }
        }
    }

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
    }
}
