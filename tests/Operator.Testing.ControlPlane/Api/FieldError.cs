namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>One field error of a 422 answer (apimachinery's <c>field.Error</c>).</summary>
/// <param name="Reason">The cause type, e.g. <c>FieldValueRequired</c>.</param>
/// <param name="Field">The field path, e.g. <c>spec.oauth.grant</c>.</param>
/// <param name="Message">The message as the cause carries it, e.g. <c>Required value</c>.</param>
public sealed record FieldError(string Reason, string Field, string Message)
{
    public static FieldError Required(string field, string detail = "") =>
        new("FieldValueRequired", field, detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    public static FieldError Invalid(string field, string renderedValue, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {renderedValue}: {detail}");

    public static FieldError NotSupported(string field, string renderedValue, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field, $"Unsupported value: {renderedValue}: supported values: {string.Join(", ", supported)}");

    public static FieldError TypeInvalid(string field, string renderedValue, string detail) =>
        new("FieldValueTypeInvalid", field, $"Invalid value: {renderedValue}: {detail}");

    public static FieldError TooLong(string field, long max) =>
        new("FieldValueTooLong", field, $"Too long: may not be more than {max} bytes");

    public static FieldError TooMany(string field, long actual, long max) =>
        new("FieldValueTooMany", field, $"Too many: {actual}: must have at most {max} items");

    public static FieldError Forbidden(string field, string detail) =>
        new("FieldValueForbidden", field, $"Forbidden: {detail}");

    public static FieldError Duplicate(string field, string renderedValue) =>
        new("FieldValueDuplicate", field, $"Duplicate value: {renderedValue}");

    public override string ToString() => Field.Length == 0 ? Message : $"{Field}: {Message}";
}
