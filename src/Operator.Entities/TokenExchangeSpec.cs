using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace RemoteWorkloadOperator.Entities;

/// <summary>
/// RFC 8693 token exchange: the subject token the operator presents and what it asks for. The subject token comes from
/// a Secret key (<see cref="SubjectTokenSecretRef"/>) or, when that is omitted, from <c>spec.oauth.serviceAccountToken</c>
/// (a fresh ServiceAccount token per request, as Google's Security Token Service takes it).
/// </summary>
public sealed class TokenExchangeSpec
{
    /// <summary>RFC 8693 §3 token type of a JWT, the default subject token type.</summary>
    public const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

    [Description("Key of a Secret in the workload's namespace holding the subject token. Omit to present a token of spec.oauth.serviceAccountToken instead.")]
    public SecretKeyReference? SubjectTokenSecretRef { get; set; }

    [MinLength(1)]
    [MaxLength(256)]
    [DefaultValue(JwtTokenType)]
    [Description("subject_token_type (RFC 8693 §3), e.g. urn:ietf:params:oauth:token-type:jwt (the default), …:id_token or …:access_token.")]
    public string? SubjectTokenType { get; set; }

    [MinLength(1)]
    [MaxLength(256)]
    [Description("requested_token_type (RFC 8693 §2.1); omitted by default (the server issues an access token).")]
    public string? RequestedTokenType { get; set; }

    [MinLength(1)]
    [MaxLength(1024)]
    [Description("audience (RFC 8693 §2.1): the logical name of the target service, e.g. a Google workload identity provider's full resource name.")]
    public string? Audience { get; set; }
}
