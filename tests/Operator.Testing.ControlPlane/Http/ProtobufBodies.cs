using System.Text;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Http;

/// <summary>
/// Decodes the protobuf request bodies kubectl's typed clients send (<c>kubectl create namespace|secret|configmap|
/// serviceaccount|role|rolebinding|clusterrole|clusterrolebinding</c>, <c>auth can-i</c>, <c>auth whoami</c>) and the
/// DeleteOptions Helm's release storage sends with a delete into JSON.
/// Only the fields of those kinds that the commands set are mapped; other kinds answer 415.
/// </summary>
internal static class ProtobufBodies
{
    private enum F
    {
        String,
        Bytes,
        Bool,
        Int,
        StringMap,
        BytesMap,
        Strings,
        Message,
        Messages,
    }

    private sealed record Field(string Name, F Kind, Dictionary<int, Field>? Schema = null);

    private static readonly Dictionary<int, Field> ObjectMeta = new()
    {
        [1] = new("name", F.String),
        [2] = new("generateName", F.String),
        [3] = new("namespace", F.String),
        [11] = new("labels", F.StringMap),
        [12] = new("annotations", F.StringMap),
        [14] = new("finalizers", F.Strings),
    };

    private static readonly Dictionary<int, Field> PolicyRule = new()
    {
        [1] = new("verbs", F.Strings),
        [2] = new("apiGroups", F.Strings),
        [3] = new("resources", F.Strings),
        [4] = new("resourceNames", F.Strings),
        [5] = new("nonResourceURLs", F.Strings),
    };

    private static readonly Dictionary<int, Field> Subject = new()
    {
        [1] = new("kind", F.String),
        [2] = new("apiGroup", F.String),
        [3] = new("name", F.String),
        [4] = new("namespace", F.String),
    };

    private static readonly Dictionary<int, Field> RoleRef = new()
    {
        [1] = new("apiGroup", F.String),
        [2] = new("kind", F.String),
        [3] = new("name", F.String),
    };

    private static readonly Dictionary<int, Field> Binding = new()
    {
        [1] = new("metadata", F.Message, ObjectMeta),
        [2] = new("subjects", F.Messages, Subject),
        [3] = new("roleRef", F.Message, RoleRef),
    };

    private static readonly Dictionary<int, Field> Role = new()
    {
        [1] = new("metadata", F.Message, ObjectMeta),
        [2] = new("rules", F.Messages, PolicyRule),
    };

    private static readonly Dictionary<string, Dictionary<int, Field>> Kinds = new()
    {
        ["Namespace"] = new() { [1] = new("metadata", F.Message, ObjectMeta), [2] = new("spec", F.Message, new() { [1] = new("finalizers", F.Strings) }) },
        ["Secret"] = new() { [1] = new("metadata", F.Message, ObjectMeta), [2] = new("data", F.BytesMap), [3] = new("type", F.String), [4] = new("stringData", F.StringMap), [5] = new("immutable", F.Bool) },
        ["ConfigMap"] = new() { [1] = new("metadata", F.Message, ObjectMeta), [2] = new("data", F.StringMap), [3] = new("binaryData", F.BytesMap), [4] = new("immutable", F.Bool) },
        ["ServiceAccount"] = new() { [1] = new("metadata", F.Message, ObjectMeta), [4] = new("automountServiceAccountToken", F.Bool) },
        ["Role"] = Role,
        ["ClusterRole"] = Role,
        ["RoleBinding"] = Binding,
        ["ClusterRoleBinding"] = Binding,
        ["DeleteOptions"] = new()
        {
            [1] = new("gracePeriodSeconds", F.Int),
            [2] = new("preconditions", F.Message, new() { [1] = new("uid", F.String), [2] = new("resourceVersion", F.String) }),
            [3] = new("orphanDependents", F.Bool),
            [4] = new("propagationPolicy", F.String),
            [5] = new("dryRun", F.Strings),
        },
        ["SelfSubjectReview"] = new() { [1] = new("metadata", F.Message, ObjectMeta) },
        ["SelfSubjectAccessReview"] = new()
        {
            [1] = new("metadata", F.Message, ObjectMeta),
            [2] = new("spec", F.Message, new()
            {
                [1] = new("resourceAttributes", F.Message, new()
                {
                    [1] = new("namespace", F.String),
                    [2] = new("verb", F.String),
                    [3] = new("group", F.String),
                    [4] = new("version", F.String),
                    [5] = new("resource", F.String),
                    [6] = new("subresource", F.String),
                    [7] = new("name", F.String),
                }),
                [2] = new("nonResourceAttributes", F.Message, new() { [1] = new("path", F.String), [2] = new("verb", F.String) }),
            }),
        },
    };

    /// <summary>Decodes a <c>k8s\0</c>-prefixed runtime.Unknown envelope; throws 415 for kinds not mapped here.</summary>
    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || body[0] != 'k' || body[1] != '8' || body[2] != 's' || body[3] != 0)
        {
            throw Unsupported();
        }

        string apiVersion = "", kind = "";
        byte[] raw = [];
        foreach (var (number, _, value, bytes) in Read(body.AsSpan(4).ToArray()))
        {
            if (number == 1 && bytes is not null)
            {
                foreach (var (n, _, _, b) in Read(bytes))
                {
                    if (n == 1)
                    {
                        apiVersion = Encoding.UTF8.GetString(b!);
                    }
                    else if (n == 2)
                    {
                        kind = Encoding.UTF8.GetString(b!);
                    }
                }
            }
            else if (number == 2 && bytes is not null)
            {
                raw = bytes;
            }

            _ = value;
        }

        if (!Kinds.TryGetValue(kind, out var schema))
        {
            throw Unsupported();
        }

        var obj = Message(raw, schema);
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kind;
        return obj;
    }

    private static ApiException Unsupported() =>
        Status.UnsupportedMediaType("application/vnd.kubernetes.protobuf", ["application/json", "application/yaml"]);

    private static JsonObject Message(byte[] bytes, Dictionary<int, Field> schema)
    {
        var obj = new JsonObject();
        foreach (var (number, _, value, data) in Read(bytes))
        {
            if (!schema.TryGetValue(number, out var field))
            {
                continue;
            }

            switch (field.Kind)
            {
                case F.String:
                    obj[field.Name] = Encoding.UTF8.GetString(data ?? []);
                    break;
                case F.Bytes:
                    obj[field.Name] = Convert.ToBase64String(data ?? []);
                    break;
                case F.Bool:
                    obj[field.Name] = value != 0;
                    break;
                case F.Int:
                    obj[field.Name] = (long)value;
                    break;
                case F.Strings:
                    (obj[field.Name] ??= new JsonArray()).AsArray().Add(Encoding.UTF8.GetString(data ?? []));
                    break;
                case F.StringMap:
                case F.BytesMap:
                    {
                        string key = "", val = "";
                        foreach (var (n, _, _, b) in Read(data ?? []))
                        {
                            if (n == 1)
                            {
                                key = Encoding.UTF8.GetString(b!);
                            }
                            else if (n == 2)
                            {
                                val = field.Kind == F.BytesMap ? Convert.ToBase64String(b!) : Encoding.UTF8.GetString(b!);
                            }
                        }

                        (obj[field.Name] ??= new JsonObject()).AsObject()[key] = val;
                        break;
                    }

                case F.Message:
                    obj[field.Name] = Message(data ?? [], field.Schema!);
                    break;
                case F.Messages:
                    (obj[field.Name] ??= new JsonArray()).AsArray().Add(Message(data ?? [], field.Schema!));
                    break;
            }
        }

        return obj;
    }

    private static List<(int Number, int WireType, ulong Value, byte[]? Bytes)> Read(byte[] buffer)
    {
        var result = new List<(int, int, ulong, byte[]?)>();
        var i = 0;
        while (i < buffer.Length)
        {
            var tag = Varint(buffer, ref i);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    result.Add((number, wireType, Varint(buffer, ref i), null));
                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint(buffer, ref i);
                    result.Add((number, wireType, 0, buffer[i..(i + length)]));
                    i += length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    throw Status.BadRequest("malformed protobuf body");
            }
        }

        return result;
    }

    private static ulong Varint(byte[] buffer, ref int i)
    {
        ulong result = 0;
        var shift = 0;
        while (i < buffer.Length)
        {
            var b = buffer[i++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }

            shift += 7;
        }

        throw Status.BadRequest("malformed protobuf body");
    }
}
