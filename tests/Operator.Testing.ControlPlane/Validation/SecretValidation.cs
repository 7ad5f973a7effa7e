using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>
/// Secret rules of <c>pkg/apis/core/validation/validation.go</c>: <c>ValidateSecret</c> (data keys are
/// config-map keys, at most 1 MiB of decoded data in total) and <c>ValidateSecretUpdate</c>
/// (<c>type</c> is immutable; an <c>immutable: true</c> Secret keeps its data and stays immutable).
/// Type-specific required keys (TLS, basic-auth, ...) are not checked: the operator writes only Opaque Secrets.
/// </summary>
internal static class SecretValidation
{
    /// <summary><c>corev1.MaxSecretSize</c>.</summary>
    public const int MaxSecretSize = 1024 * 1024;

    private const string ImmutableWhenSet = "field is immutable when `immutable` is set";

    public static List<FieldError> Validate(JsonObject secret)
    {
        var errors = new List<FieldError>();
        long total = 0;
        foreach (var (key, value) in secret["data"] as JsonObject ?? [])
        {
            errors.AddRange(NameRules.ConfigMapKeyErrors(key).Select(m => FieldError.Invalid($"data[{key}]", ObjectMetaValidation.Quote(key), m)));
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            total += DecodedLength(text);
        }

        if (total > MaxSecretSize)
        {
            errors.Add(FieldError.TooLong("data", MaxSecretSize));
        }

        return errors;
    }

    public static List<FieldError> ValidateUpdate(JsonObject next, JsonObject old)
    {
        var errors = new List<FieldError>();
        var oldType = old["type"]?.GetValue<string>() ?? "";
        var newType = next["type"]?.GetValue<string>() ?? "";
        if (oldType != newType)
        {
            errors.Add(FieldError.Invalid("type", ObjectMetaValidation.Quote(newType), "field is immutable"));
        }

        if (IsImmutable(old))
        {
            if (!IsImmutable(next))
            {
                errors.Add(FieldError.Forbidden("immutable", ImmutableWhenSet));
            }

            if (!JsonNode.DeepEquals(next["data"] ?? new JsonObject(), old["data"] ?? new JsonObject()))
            {
                errors.Add(FieldError.Forbidden("data", ImmutableWhenSet));
            }
        }

        errors.AddRange(Validate(next));
        return errors;
    }

    private static bool IsImmutable(JsonObject secret) => secret["immutable"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static long DecodedLength(string base64)
    {
        var padding = base64.EndsWith("==", StringComparison.Ordinal) ? 2 : base64.EndsWith('=') ? 1 : 0;
        return (base64.Length / 4 * 3) - padding;
    }
}
