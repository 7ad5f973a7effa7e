using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>
/// Validation, defaulting and pruning of custom resources against a structural openAPIV3Schema,
/// with error messages shaped like the apiextensions-apiserver's.
/// </summary>
public static class SchemaValidator
{
    private static readonly ConcurrentDictionary<string, CelExpression?> CelCache = new();
    private static readonly ConcurrentDictionary<string, string> UnsupportedRules = new();
    private static readonly ConcurrentDictionary<string, Regex> RegexCache = new();

    /// <summary>CEL rules seen in schemas that this emulator cannot evaluate (rule → reason); they are not enforced.</summary>
    public static IReadOnlyDictionary<string, string> UnenforcedRules => UnsupportedRules;

    /// <summary>Sets defaults for absent properties wherever their parent object exists.</summary>
    public static void ApplyDefaults(JsonNode? node, JsonObject? schema)
    {
        if (schema is null || node is null)
        {
            return;
        }

        if (node is JsonObject obj)
        {
            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (name, propertySchemaNode) in properties)
                {
                    if (propertySchemaNode is not JsonObject propertySchema)
                    {
                        continue;
                    }

                    // A null under a non-nullable property is defaulted like an absent one (defaulting/algorithm.go).
                    var absent = !obj.TryGetPropertyValue(name, out var present) || (present is null && propertySchema["nullable"]?.GetValue<bool>() != true);
                    if (absent && propertySchema["default"] is { } defaultValue)
                    {
                        obj[name] = defaultValue.DeepClone();
                    }

                    if (obj.TryGetPropertyValue(name, out var child))
                    {
                        ApplyDefaults(child, propertySchema);
                    }
                }
            }
            else if (schema["additionalProperties"] is JsonObject valueSchema)
            {
                foreach (var (_, child) in obj.ToList())
                {
                    ApplyDefaults(child, valueSchema);
                }
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject itemSchema)
        {
            foreach (var item in array)
            {
                ApplyDefaults(item, itemSchema);
            }
        }
    }

    /// <summary>
    /// Drops <c>null</c> values of properties that are neither nullable nor defaulted, as
    /// apiextensions-apiserver's <c>pkg/apiserver/schema/defaulting/prunenulls.go</c>
    /// <c>PruneNonNullableNullsWithoutDefaults</c> does before validation (a null there is "absent", not a 422).
    /// </summary>
    public static void PruneNonNullableNulls(JsonNode? node, JsonObject? schema)
    {
        if (schema is null || node is null)
        {
            return;
        }

        if (node is JsonObject obj)
        {
            var properties = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"] as JsonObject;
            foreach (var (name, child) in obj.ToList())
            {
                var childSchema = properties?[name] as JsonObject ?? additional;
                if (childSchema is null)
                {
                    continue;
                }

                if (child is null)
                {
                    if (childSchema["nullable"]?.GetValue<bool>() != true && childSchema["default"] is null)
                    {
                        obj.Remove(name);
                    }

                    continue;
                }

                PruneNonNullableNulls(child, childSchema);
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject itemSchema)
        {
            foreach (var item in array)
            {
                PruneNonNullableNulls(item, itemSchema);
            }
        }
    }

    /// <summary>Removes fields the schema does not declare; returns their paths (for fieldValidation Strict/Warn).</summary>
    public static List<string> Prune(JsonNode? node, JsonObject? schema, string path = "")
    {
        var unknown = new List<string>();
        PruneInto(node, schema, path, unknown, isRoot: path.Length == 0);
        return unknown;
    }

    private static void PruneInto(JsonNode? node, JsonObject? schema, string path, List<string> unknown, bool isRoot)
    {
        if (schema is null || node is null)
        {
            return;
        }

        var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        if (node is JsonObject obj)
        {
            var properties = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"] as JsonObject;
            if (schema["x-kubernetes-embedded-resource"]?.GetValue<bool>() == true)
            {
                preserve = preserve || properties is null;
            }

            foreach (var (name, child) in obj.ToList())
            {
                if (isRoot && name is "apiVersion" or "kind" or "metadata")
                {
                    continue;
                }

                var childPath = path.Length == 0 ? name : $"{path}.{name}";
                if (properties?[name] is JsonObject propertySchema)
                {
                    PruneInto(child, propertySchema, childPath, unknown, false);
                }
                else if (additional is not null)
                {
                    PruneInto(child, additional, childPath, unknown, false);
                }
                else if (!preserve && (properties is not null || additional is null))
                {
                    if (properties is null && schema["type"]?.GetValue<string>() != "object")
                    {
                        continue;
                    }

                    obj.Remove(name);
                    unknown.Add(childPath);
                }
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < array.Count; i++)
            {
                PruneInto(array[i], itemSchema, $"{path}[{i}]", unknown, false);
            }
        }
    }

    /// <summary>Validates an object (and, for updates, its previous state for transition rules).</summary>
    public static List<FieldError> Validate(JsonObject obj, JsonObject schema, JsonObject? oldObj)
    {
        var errors = new List<FieldError>();
        var root = obj.DeepClone().AsObject();
        root.Remove("metadata");
        root.Remove("apiVersion");
        root.Remove("kind");

        // Rules on the resource root see metadata.name and metadata.generateName, nothing else of metadata
        // (apiextensions-apiserver pkg/apiserver/schema/cel/model/schemas.go, WithTypeAndObjectMeta).
        var celRoot = root.DeepClone().AsObject();
        celRoot["metadata"] = new JsonObject
        {
            ["name"] = obj["metadata"]?["name"]?.DeepClone(),
            ["generateName"] = obj["metadata"]?["generateName"]?.DeepClone(),
        };
        ValidateNode(root, schema, "", errors, oldObj, isRoot: true, celSelf: celRoot);
        return errors;
    }

    /// <summary>
    /// Validates a schema node's own <c>default</c> against that node (apiextensions-apiserver refuses a
    /// CRD whose defaults would not validate: <c>pkg/apiserver/schema/defaulting/validation.go</c>
    /// <c>ValidateDefaults</c>). Error paths are relative to the default value.
    /// </summary>
    public static List<FieldError> ValidateDefault(JsonNode? value, JsonObject schema)
    {
        var errors = new List<FieldError>();
        var copy = value?.DeepClone();
        PruneInto(copy, schema, "", [], isRoot: false);
        ValidateNode(copy, schema, "", errors, null);
        return errors;
    }

    private static void ValidateNode(JsonNode? node, JsonObject schema, string path, List<FieldError> errors, JsonNode? old, bool isRoot = false, JsonNode? celSelf = null)
    {
        if (node is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true && !isRoot)
            {
                errors.Add(FieldError.TypeInvalid(path, "\"null\"", $"{path} in body must be of type {schema["type"]?.GetValue<string>() ?? "object"}: \"null\""));
            }

            return;
        }

        var type = schema["type"]?.GetValue<string>();
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var actual = JsonType(node);
        if (intOrString)
        {
            if (actual is not ("integer" or "string"))
            {
                errors.Add(FieldError.TypeInvalid(path, Quote(actual), $"{path} in body must be of type integer,string: {Quote(actual)}"));
                return;
            }
        }
        else if (type is not null && !(type == actual || (type == "number" && actual == "integer")))
        {
            errors.Add(FieldError.TypeInvalid(path, Quote(actual), $"{path} in body must be of type {type}: {Quote(actual)}"));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(FieldError.NotSupported(path, Render(node), allowed.Select(Render)));
        }

        switch (node)
        {
            case JsonObject obj:
                ValidateObject(obj, schema, path, errors, old as JsonObject);
                break;
            case JsonArray array:
                ValidateArray(array, schema, path, errors, old as JsonArray);
                break;
            case JsonValue value when actual == "string":
                ValidateString(value.GetValue<string>(), schema, path, errors);
                break;
            case JsonValue value when actual is "integer" or "number":
                ValidateNumber(value, schema, path, errors);
                break;
        }

        if (schema["x-kubernetes-validations"] is JsonArray rules)
        {
            EvaluateRules(celSelf ?? node, old, rules, path, errors);
        }
    }

    private static void ValidateObject(JsonObject obj, JsonObject schema, string path, List<FieldError> errors, JsonObject? old)
    {
        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            var name = required!.GetValue<string>();
            if (!obj.ContainsKey(name))
            {
                errors.Add(FieldError.Required(Join(path, name)));
            }
        }

        if (schema["minProperties"]?.GetValue<long>() is { } minProperties && obj.Count < minProperties)
        {
            errors.Add(FieldError.Invalid(path, Render(obj.Count), $"{path} in body should have at least {minProperties} properties"));
        }

        if (schema["maxProperties"]?.GetValue<long>() is { } maxProperties && obj.Count > maxProperties)
        {
            errors.Add(FieldError.TooMany(path, obj.Count, maxProperties));
        }

        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"] as JsonObject;
        foreach (var (name, child) in obj)
        {
            var childSchema = properties?[name] as JsonObject ?? additional;
            if (childSchema is not null)
            {
                ValidateNode(child, childSchema, Join(path, name), errors, old?[name]);
            }
        }
    }

    private static void ValidateArray(JsonArray array, JsonObject schema, string path, List<FieldError> errors, JsonArray? old)
    {
        if (schema["minItems"]?.GetValue<long>() is { } minItems && array.Count < minItems)
        {
            errors.Add(FieldError.Invalid(path, Render(array.Count), $"{path} in body should have at least {minItems} items"));
        }

        if (schema["maxItems"]?.GetValue<long>() is { } maxItems && array.Count > maxItems)
        {
            errors.Add(FieldError.TooMany(path, array.Count, maxItems));
        }

        var listType = schema["x-kubernetes-list-type"]?.GetValue<string>();
        if (schema["uniqueItems"]?.GetValue<bool>() == true || listType == "set")
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array.Take(i).Any(p => JsonNode.DeepEquals(p, array[i])))
                {
                    errors.Add(FieldError.Duplicate($"{path}[{i}]", Render(array[i])));
                }
            }
        }

        if (listType == "map" && schema["x-kubernetes-list-map-keys"] is JsonArray keyNames)
        {
            var keys = keyNames.Select(k => k!.GetValue<string>()).ToList();
            for (var i = 0; i < array.Count; i++)
            {
                if (array.Take(i).Any(p => keys.All(k => JsonNode.DeepEquals(p?[k], array[i]?[k]))))
                {
                    var rendered = "{" + string.Join(", ", keys.Select(k => $"\"{k}\":{Render(array[i]?[k])}")) + "}";
                    errors.Add(FieldError.Duplicate($"{path}[{i}]", rendered));
                }
            }
        }

        if (schema["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < array.Count; i++)
            {
                ValidateNode(array[i], itemSchema, $"{path}[{i}]", errors, listType == "map" || old is null || i >= old.Count ? null : old[i]);
            }
        }
    }

    private static void ValidateString(string value, JsonObject schema, string path, List<FieldError> errors)
    {
        var length = value.EnumerateRunes().Count();
        if (schema["maxLength"]?.GetValue<long>() is { } maxLength && length > maxLength)
        {
            errors.Add(FieldError.TooLong(path, maxLength));
        }

        if (schema["minLength"]?.GetValue<long>() is { } minLength && length < minLength)
        {
            errors.Add(FieldError.Invalid(path, Render(value), $"{path} in body should be at least {minLength} chars long"));
        }

        if (schema["pattern"]?.GetValue<string>() is { } pattern)
        {
            var regex = RegexCache.GetOrAdd(pattern, p => new Regex(Re2Pattern.ToDotNet(p), RegexOptions.CultureInvariant));
            if (!regex.IsMatch(value))
            {
                errors.Add(FieldError.Invalid(path, Render(value), $"{path} in body should match '{pattern}'"));
            }
        }

        if (schema["format"]?.GetValue<string>() is { } format && !FormatValid(format, value))
        {
            errors.Add(FieldError.Invalid(path, Render(value), $"{path} in body must be of type {format}: {Render(value)}"));
        }
    }

    private static bool FormatValid(string format, string value) => format switch
    {
        "date-time" or "datetime" => DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date" => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => Guid.TryParse(value, out _),
        "byte" => IsBase64(value),
        "duration" => GoDuration.TryParse(value, out _),
        "ipv4" => System.Net.IPAddress.TryParse(value, out var ip4) && ip4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
        "ipv6" => System.Net.IPAddress.TryParse(value, out var ip6) && ip6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        "email" => Regex.IsMatch(value, @"^[^@\s]+@[^@\s]+$"),
        "hostname" => Regex.IsMatch(value, @"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*\z"),
        "uri" => GoRequestUri.IsValid(value),
        "cidr" => System.Net.IPNetwork.TryParse(value, out _),

        // Formats outside apiextensions-apiserver's supported list (pkg/apiserver/validation/formats.go)
        // are stripped from the schema before validation, so they accept anything.
        _ => true,
    };

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }

    private static void ValidateNumber(JsonValue value, JsonObject schema, string path, List<FieldError> errors)
    {
        var number = value.TryGetValue<long>(out var l) ? l : value.GetValue<double>();
        if (schema["minimum"] is JsonValue minimumNode)
        {
            var minimum = minimumNode.GetValue<double>();
            var exclusive = schema["exclusiveMinimum"]?.GetValue<bool>() == true;
            if (exclusive ? number <= minimum : number < minimum)
            {
                errors.Add(FieldError.Invalid(path, Render(value), $"{path} in body should be greater than {(exclusive ? "" : "or equal to ")}{FormatNumber(minimum)}"));
            }
        }

        if (schema["maximum"] is JsonValue maximumNode)
        {
            var maximum = maximumNode.GetValue<double>();
            var exclusive = schema["exclusiveMaximum"]?.GetValue<bool>() == true;
            if (exclusive ? number >= maximum : number > maximum)
            {
                errors.Add(FieldError.Invalid(path, Render(value), $"{path} in body should be less than {(exclusive ? "" : "or equal to ")}{FormatNumber(maximum)}"));
            }
        }

        if (schema["multipleOf"] is JsonValue multipleNode)
        {
            var multiple = multipleNode.GetValue<double>();
            if (multiple != 0 && Math.Abs(Math.IEEERemainder(number, multiple)) > 1e-9)
            {
                errors.Add(FieldError.Invalid(path, Render(value), $"{path} in body should be a multiple of {FormatNumber(multiple)}"));
            }
        }
    }

    private static void EvaluateRules(JsonNode node, JsonNode? old, JsonArray rules, string path, List<FieldError> errors)
    {
        foreach (var ruleNode in rules.OfType<JsonObject>())
        {
            var rule = ruleNode["rule"]?.GetValue<string>() ?? "";
            var usesOld = rule.Contains("oldSelf", StringComparison.Ordinal);
            if (usesOld && old is null && ruleNode["optionalOldSelf"]?.GetValue<bool>() != true)
            {
                continue;
            }

            var expression = CelCache.GetOrAdd(rule, Compile);
            if (expression is null)
            {
                continue;
            }

            var variables = new Dictionary<string, object?> { ["self"] = CelExpression.FromJson(node), ["oldSelf"] = CelExpression.FromJson(old) };
            string? failure = null;
            try
            {
                if (expression.Evaluate(variables) is not true)
                {
                    failure = ruleNode["message"]?.GetValue<string>() ?? $"failed rule: {rule}";
                }
            }
            catch (CelException e) when (e.Unsupported)
            {
                UnsupportedRules[rule] = e.Message;
                continue;
            }
            catch (CelException e)
            {
                failure = $"{e.Message} evaluating rule: {rule}";
            }

            if (failure is null)
            {
                continue;
            }

            var field = path;
            if (ruleNode["fieldPath"]?.GetValue<string>() is { } fieldPath)
            {
                field = path + fieldPath;
            }

            errors.Add((ruleNode["reason"]?.GetValue<string>() ?? "FieldValueInvalid") switch
            {
                "FieldValueRequired" => FieldError.Required(field, failure),
                "FieldValueForbidden" => FieldError.Forbidden(field, failure),
                "FieldValueDuplicate" => new FieldError("FieldValueDuplicate", field, $"Duplicate value: {failure}"),
                _ => FieldError.Invalid(field, Quote(JsonType(node)), failure),
            });
        }
    }

    private static CelExpression? Compile(string rule)
    {
        try
        {
            return CelExpression.Parse(rule);
        }
        catch (CelException e)
        {
            UnsupportedRules[rule] = e.Message;
            return null;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string JsonType(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => v.TryGetValue<long>(out _) || IsIntegral(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    private static bool IsIntegral(JsonValue v) => v.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon && Math.Abs(d) < 9e15;

    private static string Quote(string s) => JsonSerializer.Serialize(s);

    private static string FormatNumber(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Renders a value like Go's <c>%#v</c> in field errors: strings quoted, numbers bare.</summary>
    public static string Render(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l.ToString(CultureInfo.InvariantCulture) : FormatNumber(v.GetValue<double>()),
        JsonNode n => n.ToJsonString(),
        _ => value.ToString() ?? "",
    };
}
