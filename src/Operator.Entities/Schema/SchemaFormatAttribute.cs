namespace RemoteWorkloadOperator.Entities.Schema;

/// <summary>The OpenAPI <c>format</c> of a string property (uri, date-time).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaFormatAttribute(string format) : Attribute
{
    public string Format { get; } = format;
}
