using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteWorkloadOperator.Entities;

/// <summary>Reads and writes <see cref="KubeDuration"/> as its Go-syntax string; never throws on a malformed string.</summary>
public sealed class KubeDurationJsonConverter : JsonConverter<KubeDuration>
{
    public override KubeDuration? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => KubeDuration.FromText(reader.GetString() ?? ""),
            // A number is not a duration; keep its text so validation can name the field.
            JsonTokenType.Number => KubeDuration.FromText(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
            _ => throw new JsonException("a duration must be a string such as \"90s\", \"10m\" or \"1h30m\""),
        };

    public override void Write(Utf8JsonWriter writer, KubeDuration value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text);
}
