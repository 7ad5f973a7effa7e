using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>
/// The checks that make apiextensions-apiserver refuse a v1 CRD whose schema is not structural or not
/// runnable (<c>pkg/apiserver/schema/validation.go</c> <c>validateStructuralInvariants</c>, and
/// <c>pkg/apis/apiextensions/validation/validation.go</c> <c>ValidateCustomResourceDefinitionOpenAPISchema</c>):
/// every node has a <c>type</c> (unless int-or-string or preserve-unknown-fields), the root is an object,
/// <c>properties</c> and <c>additionalProperties</c> exclude each other, <c>uniqueItems</c> is not true,
/// arrays have <c>items</c>, patterns compile as Go (RE2) regular expressions, and every <c>default</c>
/// validates against its own schema.
/// </summary>
internal static class StructuralSchema
{
    public static List<FieldError> Validate(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var versions = crd["spec"]?["versions"] as JsonArray ?? [];
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i]?["schema"]?["openAPIV3Schema"] is JsonObject schema)
            {
                Walk(schema, $"spec.versions[{i}].schema.openAPIV3Schema", Level.Root, errors);
            }
        }

        return errors;
    }

    private enum Level
    {
        Root,
        Item,
        Field,
    }

    private static void Walk(JsonObject schema, string path, Level level, List<FieldError> errors)
    {
        var type = schema["type"]?.GetValue<string>() ?? "";
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        if (type.Length == 0 && !intOrString && !preserve)
        {
            errors.Add(FieldError.Required($"{path}.type", level switch
            {
                Level.Root => "must not be empty at the root",
                Level.Item => "must not be empty for specified array items",
                _ => "must not be empty for specified object fields",
            }));
        }

        if (level == Level.Root && type.Length > 0 && type != "object")
        {
            errors.Add(FieldError.Invalid($"{path}.type", ObjectMetaValidation.Quote(type), "must be object at the root"));
        }

        if (schema["properties"] is JsonObject && schema["additionalProperties"] is JsonObject or JsonValue)
        {
            errors.Add(FieldError.Forbidden($"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive"));
        }

        if (schema["uniqueItems"]?.GetValue<bool>() == true)
        {
            errors.Add(FieldError.Forbidden($"{path}.uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        }

        if (type == "array" && schema["items"] is null)
        {
            errors.Add(FieldError.Required($"{path}.items", "must be specified"));
        }

        if (schema["pattern"]?.GetValue<string>() is { } pattern && Re2Pattern.Unsupported(pattern) is { } reason)
        {
            errors.Add(FieldError.Invalid($"{path}.pattern", ObjectMetaValidation.Quote(pattern), $"must be a valid regular expression, but isn't: {reason}"));
        }

        if (schema["default"] is { } defaultValue)
        {
            foreach (var error in SchemaValidator.ValidateDefault(defaultValue, schema))
            {
                var relative = error.Field.TrimStart('.');
                errors.Add(error with { Field = relative.Length == 0 ? $"{path}.default" : $"{path}.default.{relative}", Message = error.Message.Replace(": " + relative + " in body", ": in body", StringComparison.Ordinal).Replace(":  in body", ": in body", StringComparison.Ordinal) });
            }
        }

        foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
        {
            if (child is JsonObject childSchema)
            {
                Walk(childSchema, $"{path}.properties[{name}]", Level.Field, errors);
            }
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            Walk(additional, $"{path}.additionalProperties", Level.Field, errors);
        }

        if (schema["items"] is JsonObject items)
        {
            Walk(items, $"{path}.items", Level.Item, errors);
        }
    }
}
