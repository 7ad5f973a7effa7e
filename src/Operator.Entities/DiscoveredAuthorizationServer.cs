using System.ComponentModel;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities;

/// <summary>Where discovery led: public metadata only, never a credential.</summary>
public sealed class DiscoveredAuthorizationServer
{
    [SchemaFormat("uri")]
    [Description("The issuer, as its metadata states it.")]
    public string? Issuer { get; set; }

    [SchemaFormat("uri")]
    [Description("The token endpoint from the issuer's metadata.")]
    public string? TokenEndpoint { get; set; }
}
