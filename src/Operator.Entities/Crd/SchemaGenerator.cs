using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities.Crd;

/// <summary>
/// Builds a structural OpenAPI v3 schema from the C# API types, reading the constraints from
/// their attributes (<see cref="DescriptionAttribute"/>, data annotations, <see cref="CelRuleAttribute"/>).
/// Only the shapes the API uses are supported; anything else fails loudly at generation time.
/// </summary>
internal static class SchemaGenerator
{
    public static V1JSONSchemaProps ForObject(Type type)
    {
        var schema = new V1JSONSchemaProps
        {
            Type = "object",
            Description = type.GetCustomAttribute<DescriptionAttribute>()?.Description,
            Properties = new Dictionary<string, V1JSONSchemaProps>(),
        };
        var required = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            schema.Properties[name] = ForProperty(property);
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        if (required.Count > 0)
        {
            schema.Required = required;
        }

        var rules = type.GetCustomAttributes<CelRuleAttribute>()
            .Select(rule => new V1ValidationRule { Rule = rule.Rule, Message = rule.Message })
            .ToList();
        if (rules.Count > 0)
        {
            schema.XKubernetesValidations = rules;
        }

        return schema;
    }

    private static V1JSONSchemaProps ForProperty(PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var schema = ForType(type);
        schema.Description = property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? schema.Description;

        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern)
        {
            schema.Pattern = pattern.Pattern;
        }

        if (property.GetCustomAttribute<SchemaFormatAttribute>() is { } format)
        {
            schema.Format = format.Format;
        }

        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
        {
            schema.EnumProperty = allowed.Values.Cast<object>().ToList();
        }

        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
        {
            schema.MinLength = minLength.Length;
        }

        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
        {
            schema.MaxLength = maxLength.Length;
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema.Minimum = Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture);
            schema.Maximum = Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
            schema.ExclusiveMinimum = range.MinimumIsExclusive ? true : null;
            schema.ExclusiveMaximum = range.MaximumIsExclusive ? true : null;
        }

        if (property.GetCustomAttribute<DefaultValueAttribute>() is { Value: { } value })
        {
            schema.DefaultProperty = value;
        }

        return schema;
    }

    private static V1JSONSchemaProps ForType(Type type)
    {
        if (type == typeof(string))
        {
            return new V1JSONSchemaProps { Type = "string" };
        }

        if (type == typeof(KubeDuration))
        {
            // The length bound keeps the CEL cost estimate of duration() rules small.
            return new V1JSONSchemaProps { Type = "string", Pattern = SchemaPatterns.Duration, MaxLength = 32 };
        }

        if (type == typeof(int))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        }

        if (type == typeof(long))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        }

        if (type == typeof(double))
        {
            return new V1JSONSchemaProps { Type = "number", Format = "double" };
        }

        if (type == typeof(DateTime))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        }

        if (type.IsEnum)
        {
            return new V1JSONSchemaProps { Type = "string", EnumProperty = Enum.GetNames(type).Cast<object>().ToList() };
        }

        if (type == typeof(V1ObjectMeta))
        {
            // The API server owns metadata's schema; CRDs declare it as a bare object.
            return new V1JSONSchemaProps { Type = "object" };
        }

        if (type == typeof(V1Condition))
        {
            return ConditionSchema();
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var itemType = type.GetGenericArguments()[0];
            var array = new V1JSONSchemaProps { Type = "array", Items = ForType(itemType) };
            if (itemType == typeof(V1Condition))
            {
                array.XKubernetesListType = "map";
                array.XKubernetesListMapKeys = ["type"];
            }

            return array;
        }

        if (type.IsClass && type.Namespace?.StartsWith(typeof(SchemaGenerator).Namespace![..^".Crd".Length], StringComparison.Ordinal) == true)
        {
            return ForObject(type);
        }

        throw new NotSupportedException($"No schema mapping for {type.FullName}");
    }

    /// <summary>The schema of metav1.Condition, as Kubernetes publishes it.</summary>
    private static V1JSONSchemaProps ConditionSchema() => new()
    {
        Type = "object",
        Description = "A condition of the workload (metav1.Condition).",
        Required = ["type", "status", "lastTransitionTime", "reason", "message"],
        Properties = new Dictionary<string, V1JSONSchemaProps>
        {
            ["type"] = new() { Type = "string", MaxLength = 316, Description = "Condition type: Ready or AuthRetrying." },
            ["status"] = new() { Type = "string", EnumProperty = ["True", "False", "Unknown"], Description = "True, False or Unknown." },
            ["observedGeneration"] = new() { Type = "integer", Format = "int64", Minimum = 0, Description = "The metadata.generation the condition was set for." },
            ["lastTransitionTime"] = new() { Type = "string", Format = "date-time", Description = "When the status last changed." },
            ["reason"] = new() { Type = "string", MaxLength = 1024, MinLength = 1, Description = "CamelCase machine-readable reason." },
            ["message"] = new() { Type = "string", MaxLength = 32768, Description = "Human-readable message." },
        },
    };
}
