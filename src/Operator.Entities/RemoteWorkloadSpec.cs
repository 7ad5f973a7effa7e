using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>Desired state of a <see cref="RemoteWorkload"/>.</summary>
public sealed class RemoteWorkloadSpec
{
    [Required]
    [SchemaFormat("uri")]
    [RegularExpression(SchemaPatterns.HttpUrl)]
    [Description("The remote service the token is for. An absolute https:// URL (http:// only when the operator allows insecure endpoints).")]
    public string Url { get; set; } = "";

    [Required]
    [JsonPropertyName("oauth")]
    [Description("How to obtain the access token.")]
    public OAuthSpec OAuth { get; set; } = new();

    [Description("Where the access token is published for consumers.")]
    public TokenSecretSpec? TokenSecret { get; set; }

    [Description("When to refresh the access token.")]
    public RefreshSpec? Refresh { get; set; }

    [Description("How to retry failed token requests. Unset fields take the operator's defaults.")]
    public RetrySpec? Retry { get; set; }
}
