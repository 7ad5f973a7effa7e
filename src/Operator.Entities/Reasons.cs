namespace RemoteWorkloadOperator.Entities;

/// <summary>Machine-readable reasons used in status, conditions and Events.</summary>
public static class Reasons
{
    public const string TokenIssued = "TokenIssued";
    public const string Refreshing = "Refreshing";
    public const string Recovered = "Recovered";
    public const string AuthRetrying = "AuthRetrying";
    public const string TransientFailure = "TransientFailure";
    public const string SecretNotFound = "SecretNotFound";
    public const string SecretKeyMissing = "SecretKeyMissing";
    public const string SecretConflict = "SecretConflict";
    public const string RefreshTokenInUse = "RefreshTokenInUse";
    public const string InvalidSpec = "InvalidSpec";
    public const string EndpointNotAllowed = "EndpointNotAllowed";
    public const string TokenEndpointUnavailable = "TokenEndpointUnavailable";
    public const string CredentialsRejected = "CredentialsRejected";
    public const string CeilingExceeded = "CeilingExceeded";
    public const string DiscoveryFailed = "DiscoveryFailed";
    public const string TlsFailure = "TlsFailure";
    public const string InvalidTokenResponse = "InvalidTokenResponse";
    public const string InvalidPrivateKey = "InvalidPrivateKey";
    public const string InvalidClientCertificate = "InvalidClientCertificate";
    public const string ClientCertificateExpiring = "ClientCertificateExpiring";
    public const string ClientCertificateValid = "ClientCertificateValid";
    public const string ServiceAccountNotFound = "ServiceAccountNotFound";
    public const string ServiceAccountNotPermitted = "ServiceAccountNotPermitted";
    public const string RefreshTokenExpiring = "RefreshTokenExpiring";
    public const string RefreshTokenValid = "RefreshTokenValid";

    /// <summary>The IdP's access token lifetime is below the minimum refresh interval (the ShortTokenLifetime condition and Event).</summary>
    public const string ShortTokenLifetime = "ShortTokenLifetime";

    /// <summary>A monitor stopped with a rotated refresh token it could not store (the RotationUnstored condition and Event).</summary>
    public const string RotationUnstored = "RotationUnstored";

    /// <summary>No attempt yet (the reason of a fresh workload's status before its first token).</summary>
    public const string Pending = "Pending";

    /// <summary>The reason of the AuthRetrying condition while it is False.</summary>
    public const string NotRetrying = "NotRetrying";
}
