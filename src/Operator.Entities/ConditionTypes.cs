namespace RemoteWorkloadOperator.Entities;

/// <summary>Condition types in <c>status.conditions</c>.</summary>
public static class ConditionTypes
{
    /// <summary>True only in phase Running.</summary>
    public const string Ready = "Ready";

    /// <summary>True exactly while phase is AuthRetrying; its lastTransitionTime is the retry start.</summary>
    public const string AuthRetrying = "AuthRetrying";

    /// <summary>
    /// Present only when the IdP states the refresh token's lifetime; True when a person must authorise the
    /// client again soon (the token ends before the next refresh, or within days and refreshes no longer extend it).
    /// </summary>
    public const string RefreshTokenExpiring = "RefreshTokenExpiring";

    /// <summary>
    /// Present only with a mutual-TLS client authentication method; True from <c>spec.oauth.clientCertificateRenewBefore</c>
    /// before the client certificate's notAfter: a person must renew the certificate in its TLS Secret.
    /// </summary>
    public const string ClientCertificateExpiring = "ClientCertificateExpiring";

    /// <summary>
    /// Present only after a monitor stopped with a rotated refresh token it could not store in the state Secret (True,
    /// with an Event); removed by the next successful grant.
    /// </summary>
    public const string RotationUnstored = "RotationUnstored";

    /// <summary>
    /// Present only while the IdP's access token lifetime is below the operator's minimum refresh interval (True, with a
    /// Warning Event when it starts): the token is refreshed at the interval and expires before each refresh.
    /// </summary>
    public const string ShortTokenLifetime = "ShortTokenLifetime";
}
