using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Http;

/// <summary>
/// OpenAPI v3 documents per group/version: CRD schemas as published by the real server, built-in
/// kinds as open objects, and every operation with its query parameters (fieldValidation included,
/// which kubectl checks before it relies on server-side field validation).
/// </summary>
internal static class OpenApi
{
    private const string ObjectMetaRef = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

    public static JsonObject Root(IReadOnlyList<ResourceType> all)
    {
        var paths = new JsonObject();
        foreach (var gv in all.Select(t => t.GroupVersion).Distinct())
        {
            var path = gv.Contains('/', StringComparison.Ordinal) ? $"apis/{gv}" : $"api/{gv}";
            var hash = Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(Document(all, gv).ToJsonString())))[..64];
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject Document(IReadOnlyList<ResourceType> all, string groupVersion)
    {
        var types = all.Where(t => t.GroupVersion == groupVersion).ToList();
        var schemas = new JsonObject { [ObjectMetaRef] = ObjectMeta() };
        var paths = new JsonObject();
        foreach (var type in types)
        {
            var name = SchemaName(type);
            schemas[name] = KindSchema(type);
            schemas[name + "List"] = ListSchema(type, name);
            var prefix = type.Group.Length == 0 ? "/api/v1" : $"/apis/{type.Group}/{type.Version}";
            var collection = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}" : $"{prefix}/{type.Plural}";
            paths[collection] = CollectionPath(type, name);
            paths[collection + "/{name}"] = ItemPath(type, name, "");
            if (type.HasStatus)
            {
                paths[collection + "/{name}/status"] = ItemPath(type, name, "Status");
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.33.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    public static string SchemaName(ResourceType type)
    {
        var group = type.Group switch
        {
            "" => "io.k8s.api.core",
            "apiextensions.k8s.io" => "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
            var g when g.EndsWith(".k8s.io", StringComparison.Ordinal) => "io.k8s.api." + g[..^".k8s.io".Length].Split('.')[0],
            "apps" => "io.k8s.api.apps",
            var g => string.Join('.', g.Split('.').Reverse()),
        };
        return $"{group}.{type.Version}.{type.Kind}";
    }

    private static JsonArray Gvk(ResourceType type) => new(Ext(type));

    private static JsonObject Ext(ResourceType type) => new() { ["group"] = type.Group, ["kind"] = type.Kind, ["version"] = type.Version };

    private static JsonObject KindSchema(ResourceType type)
    {
        JsonObject schema;
        if (type.Schema is not null)
        {
            schema = type.Schema.DeepClone().AsObject();
        }
        else
        {
            schema = new JsonObject
            {
                ["description"] = $"{type.Kind} ({type.ApiVersion}). This emulator publishes built-in kinds without their field schemas.",
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
            };
        }

        var properties = schema["properties"] as JsonObject ?? new JsonObject();
        schema["properties"] = properties;
        properties["apiVersion"] ??= new JsonObject { ["description"] = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources", ["type"] = "string" };
        properties["kind"] ??= new JsonObject { ["description"] = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds", ["type"] = "string" };
        properties["metadata"] = new JsonObject
        {
            ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = $"#/components/schemas/{ObjectMetaRef}" }),
            ["default"] = new JsonObject(),
            ["description"] = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        };
        schema["x-kubernetes-group-version-kind"] = Gvk(type);
        return schema;
    }

    private static JsonObject ListSchema(ResourceType type, string itemSchema) => new()
    {
        ["description"] = $"{type.ListKind} is a list of {type.Kind}",
        ["type"] = "object",
        ["required"] = new JsonArray("items"),
        ["properties"] = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["items"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = $"#/components/schemas/{itemSchema}" } },
            ["metadata"] = new JsonObject { ["type"] = "object" },
        },
        ["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = type.Group, ["kind"] = type.ListKind, ["version"] = type.Version }),
    };

    private static JsonObject ObjectMeta()
    {
        var properties = new JsonObject();
        foreach (var (name, kind, description) in new[]
        {
            ("name", "string", "Name must be unique within a namespace."),
            ("generateName", "string", "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
            ("namespace", "string", "Namespace defines the space within which each name must be unique."),
            ("uid", "string", "UID is the unique in time and space value for this object."),
            ("resourceVersion", "string", "An opaque value that represents the internal version of this object."),
            ("generation", "integer", "A sequence number representing a specific generation of the desired state."),
            ("creationTimestamp", "string", "CreationTimestamp is a timestamp representing the server time when this object was created."),
            ("deletionTimestamp", "string", "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."),
            ("deletionGracePeriodSeconds", "integer", "Number of seconds allowed for this object to gracefully terminate."),
        })
        {
            properties[name] = new JsonObject { ["description"] = description, ["type"] = kind };
        }

        properties["labels"] = new JsonObject { ["description"] = "Map of string keys and values that can be used to organize and categorize objects.", ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string", ["default"] = "" } };
        properties["annotations"] = new JsonObject { ["description"] = "Annotations is an unstructured key value map stored with a resource.", ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string", ["default"] = "" } };
        properties["finalizers"] = new JsonObject { ["description"] = "Must be empty before the object is deleted from the registry.", ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string", ["default"] = "" }, ["x-kubernetes-list-type"] = "set" };
        properties["ownerReferences"] = new JsonObject { ["description"] = "List of objects depended by this object.", ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } };
        properties["managedFields"] = new JsonObject { ["description"] = "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.", ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } };
        return new JsonObject { ["description"] = "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.", ["type"] = "object", ["properties"] = properties };
    }

    private static JsonObject Query(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = name is "force" or "watch" or "allowWatchBookmarks" ? "boolean" : name is "limit" or "timeoutSeconds" or "gracePeriodSeconds" ? "integer" : "string", ["uniqueItems"] = true },
    };

    private static JsonObject PathParam(string name) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["description"] = $"{name} of the resource",
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonArray WriteParams(bool patch)
    {
        var list = new JsonArray
        {
            Query("dryRun", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"),
            Query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
            Query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict"),
        };
        if (patch)
        {
            list.Add(Query("force", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."));
        }

        return list;
    }

    private static JsonObject Operation(ResourceType type, string action, string operationId, string responseSchema, JsonArray? parameters = null, bool body = false, bool patch = false)
    {
        var op = new JsonObject
        {
            ["tags"] = new JsonArray(type.Group.Length == 0 ? "core_v1" : $"{type.Group.Split('.')[0]}_{type.Version}"),
            ["description"] = $"{action} {type.Kind}",
            ["operationId"] = operationId,
        };
        if (parameters is not null)
        {
            op["parameters"] = parameters;
        }

        if (body)
        {
            var content = new JsonObject();
            // kubectl computes a strategic merge patch only when the PATCH operation lists that media
            // type; like the real server, custom resources do not (they answer it with 415).
            foreach (var mediaType in !patch ? new[] { "*/*" }
                : type.IsCustom ? new[] { "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json" }
                : new[] { "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json" })
            {
                content[mediaType] = new JsonObject { ["schema"] = patch ? new JsonObject { ["type"] = "object" } : new JsonObject { ["$ref"] = $"#/components/schemas/{responseSchema}" } };
            }

            op["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
        }

        op["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject
                {
                    ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{responseSchema}" } },
                    ["application/yaml"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{responseSchema}" } },
                },
            },
            ["401"] = new JsonObject { ["description"] = "Unauthorized" },
        };
        op["x-kubernetes-action"] = action;
        op["x-kubernetes-group-version-kind"] = Ext(type);
        return op;
    }

    private static string OperationName(ResourceType type)
    {
        var group = type.Group.Length == 0 ? "Core" : string.Concat(type.Group.Split('.').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        var version = char.ToUpperInvariant(type.Version[0]) + type.Version[1..];
        return $"{group}{version}{(type.Namespaced ? "Namespaced" : "")}{type.Kind}";
    }

    private static JsonObject CollectionPath(ResourceType type, string schema)
    {
        var n = OperationName(type);
        var path = new JsonObject
        {
            ["get"] = Operation(type, "list", "list" + n, schema + "List", new JsonArray
            {
                Query("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
                Query("continue", "The continue option should be set when retrieving more results from the server."),
                Query("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
                Query("labelSelector", "A selector to restrict the list of returned objects by their labels."),
                Query("limit", "limit is a maximum number of responses to return for a list call."),
                Query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
                Query("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
                Query("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`."),
                Query("timeoutSeconds", "Timeout for the list/watch call."),
                Query("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."),
            }),
            ["post"] = Operation(type, "post", "create" + n, schema, WriteParams(false), body: true),
            ["delete"] = Operation(type, "deletecollection", "deletecollection" + n, "io.k8s.apimachinery.pkg.apis.meta.v1.Status"),
        };
        var parameters = new JsonArray();
        if (type.Namespaced)
        {
            parameters.Add(PathParam("namespace"));
        }

        parameters.Add(Query("pretty", "If 'true', then the output is pretty printed."));
        path["parameters"] = parameters;
        return path;
    }

    private static JsonObject ItemPath(ResourceType type, string schema, string suffix)
    {
        var n = OperationName(type) + suffix;
        var path = new JsonObject
        {
            ["get"] = Operation(type, "get", "read" + n, schema),
            ["put"] = Operation(type, "put", "replace" + n, schema, WriteParams(false), body: true),
            ["patch"] = Operation(type, "patch", "patch" + n, schema, WriteParams(true), body: true, patch: true),
        };
        if (suffix.Length == 0)
        {
            path["delete"] = Operation(type, "delete", "delete" + n, schema, new JsonArray
            {
                Query("dryRun", "When present, indicates that modifications should not be persisted."),
                Query("gracePeriodSeconds", "The duration in seconds before the object should be deleted."),
                Query("propagationPolicy", "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
            });
        }

        var parameters = new JsonArray { PathParam("name") };
        if (type.Namespaced)
        {
            parameters.Add(PathParam("namespace"));
        }

        parameters.Add(Query("pretty", "If 'true', then the output is pretty printed."));
        path["parameters"] = parameters;
        return path;
    }
}
