using System.Text;
using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>
/// Metadata validation every kind gets on create, update and patch, after apimachinery's
/// <c>staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go</c>
/// (<c>ValidateObjectMetaAccessor</c>, <c>ValidateObjectMetaAccessorUpdate</c>) and, for the core group,
/// <c>pkg/apis/core/validation/validation.go</c> <c>validateKubeFinalizerName</c>.
/// </summary>
internal static class ObjectMetaValidation
{
    /// <summary><c>TotalAnnotationSizeLimitB</c>: keys plus values, in bytes.</summary>
    public const int TotalAnnotationSizeLimit = 256 * 1024;

    private static readonly HashSet<string> StandardFinalizers = ["kubernetes", "orphan", "foregroundDeletion"];

    /// <summary>Go's <c>%q</c> rendering of a string value in a field error.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";

    /// <summary>The checks of <c>ValidateObjectMetaAccessor</c> other than name and namespace (checked before storage).</summary>
    public static List<FieldError> Validate(JsonObject obj, bool coreGroup)
    {
        var errors = new List<FieldError>();
        var metadata = obj["metadata"] as JsonObject ?? [];
        if (metadata["generation"] is JsonValue generation && generation.TryGetValue<long>(out var g) && g < 0)
        {
            errors.Add(FieldError.Invalid("metadata.generation", g.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than or equal to 0"));
        }

        ValidateLabels(metadata["labels"] as JsonObject, errors);
        ValidateAnnotations(metadata["annotations"] as JsonObject, errors);
        ValidateOwnerReferences(metadata["ownerReferences"] as JsonArray, errors);
        ValidateFinalizers(ObjectMeta.Finalizers(obj), coreGroup, errors);
        return errors;
    }

    /// <summary>
    /// <c>ValidateObjectMetaAccessorUpdate</c>: identity fields are immutable, and no finalizer may be
    /// added once <c>deletionTimestamp</c> is set (<c>ValidateNoNewFinalizers</c>).
    /// </summary>
    public static List<FieldError> ValidateUpdate(JsonObject next, JsonObject old)
    {
        var errors = new List<FieldError>();
        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp" })
        {
            var before = ObjectMeta.Str(old, field) ?? "";
            var after = ObjectMeta.Str(next, field) ?? "";
            if (before != after)
            {
                errors.Add(FieldError.Invalid($"metadata.{field}", Quote(after), "field is immutable"));
            }
        }

        if (old["metadata"]?["deletionTimestamp"] is not null)
        {
            var added = ObjectMeta.Finalizers(next).Except(ObjectMeta.Finalizers(old), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                errors.Add(FieldError.Forbidden("metadata.finalizers", $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(Quote))}}}"));
            }
        }

        return errors;
    }

    private static void ValidateLabels(JsonObject? labels, List<FieldError> errors)
    {
        // Field path is metadata.labels for key and value errors alike, as in apimachinery's ValidateLabels.
        foreach (var (key, value) in labels ?? [])
        {
            errors.AddRange(NameRules.QualifiedNameErrors(key).Select(m => FieldError.Invalid("metadata.labels", Quote(key), m)));
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            errors.AddRange(NameRules.LabelValueErrors(text).Select(m => FieldError.Invalid("metadata.labels", Quote(text), m)));
        }
    }

    private static void ValidateAnnotations(JsonObject? annotations, List<FieldError> errors)
    {
        long size = 0;
        foreach (var (key, value) in annotations ?? [])
        {
            // Annotation keys are qualified names compared case-insensitively.
            errors.AddRange(NameRules.QualifiedNameErrors(key.ToLowerInvariant()).Select(m => FieldError.Invalid("metadata.annotations", Quote(key), m)));
            size += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "");
        }

        if (size > TotalAnnotationSizeLimit)
        {
            errors.Add(FieldError.TooLong("metadata.annotations", TotalAnnotationSizeLimit));
        }
    }

    private static void ValidateOwnerReferences(JsonArray? references, List<FieldError> errors)
    {
        const string path = "metadata.ownerReferences";
        string? firstController = null;
        foreach (var reference in references ?? [])
        {
            string Field(string name) => reference?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            var apiVersion = Field("apiVersion");
            var version = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..] : apiVersion;
            if (version.Length == 0)
            {
                errors.Add(FieldError.Invalid($"{path}.apiVersion", Quote(apiVersion), "version must not be empty"));
            }

            if (Field("kind").Length == 0)
            {
                errors.Add(FieldError.Invalid($"{path}.kind", "\"\"", "kind must not be empty"));
            }

            if (Field("name").Length == 0)
            {
                errors.Add(FieldError.Invalid($"{path}.name", "\"\"", "name must not be empty"));
            }

            if (Field("uid").Length == 0)
            {
                errors.Add(FieldError.Invalid($"{path}.uid", "\"\"", "uid must not be empty"));
            }

            if (reference?["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController)
            {
                var current = Field("kind") + "/" + Field("name");
                if (firstController is null)
                {
                    firstController = current;
                }
                else
                {
                    errors.Add(FieldError.Invalid(path, references!.ToJsonString(), $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"));
                }
            }
        }
    }

    private static void ValidateFinalizers(List<string> finalizers, bool coreGroup, List<FieldError> errors)
    {
        for (var i = 0; i < finalizers.Count; i++)
        {
            var finalizer = finalizers[i];
            errors.AddRange(NameRules.QualifiedNameErrors(finalizer).Select(m => FieldError.Invalid("metadata.finalizers", Quote(finalizer), m)));
            if (coreGroup && !finalizer.Contains('/', StringComparison.Ordinal) && !StandardFinalizers.Contains(finalizer))
            {
                errors.Add(FieldError.Invalid($"metadata.finalizers[{i}]", Quote(finalizer), "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }

        if (finalizers.Contains("orphan") && finalizers.Contains("foregroundDeletion"))
        {
            errors.Add(FieldError.Invalid("metadata.finalizers", "[]string{...}", "finalizer orphan and foregroundDeletion cannot be both set"));
        }
    }
}
