namespace RemoteWorkloadOperator.Tokens;

/// <summary>Whether a refresh token with a stated lifetime needs a human soon, and why.</summary>
/// <param name="Expiring">True when a warning is due.</param>
/// <param name="Message">What will happen and when (no token, only times).</param>
public sealed record RefreshTokenExpiryAssessment(bool Expiring, string Message);

/// <summary>
/// Judges <c>refreshTokenExpiresAt</c> as a pure function. A refresh token that every refresh extends
/// (Keycloak's idle timeout, GitHub's rotation) is fine however short its lifetime; a warning is due when the
/// last refresh did not extend it and it ends within <see cref="WarningLead"/> (an absolute limit such as
/// Keycloak's SSO Session Max has been reached), or when it ends before the next scheduled refresh (it will be
/// dead when the operator next needs it). Either way a person must authorise the client again and put the new
/// refresh token into the credentials Secret, so the warning must come well before the token dies.
/// </summary>
public static class RefreshTokenExpiry
{
    /// <summary>How far ahead of an end the IdP will not extend the warning starts.</summary>
    public static readonly TimeSpan WarningLead = TimeSpan.FromDays(7);

    // The end is computed as issuedAt + lifetime in whole seconds, with issuedAt on our clock: the same end
    // stated twice differs by the request latency and by status timestamps being whole seconds.
    private static readonly TimeSpan Jitter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Assesses the current refresh token. <paramref name="previousExpiresAt"/> and <paramref name="previousRefresh"/>
    /// are what the last status said; <paramref name="previousExpiring"/> its verdict, kept when no refresh happened
    /// since (a write without a refresh says nothing about whether the IdP extends the token). Null when the IdP
    /// stated no lifetime.
    /// </summary>
    public static RefreshTokenExpiryAssessment? Assess(
        DateTimeOffset? expiresAt,
        DateTimeOffset? lastRefresh,
        DateTimeOffset? nextRefresh,
        DateTimeOffset? previousExpiresAt,
        DateTimeOffset? previousRefresh,
        bool previousExpiring,
        DateTimeOffset now)
    {
        if (expiresAt is not { } end)
        {
            return null;
        }

        var at = end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        if (nextRefresh is { } next && end <= next)
        {
            return new RefreshTokenExpiryAssessment(true, $"the refresh token expires at {at}, before the next refresh; authorise the client again and update the refresh token in the credentials Secret");
        }

        var refreshedSince = previousRefresh is null || lastRefresh != previousRefresh;
        var notExtended = previousExpiresAt is { } before && end <= before + Jitter;
        var expiring = refreshedSince ? notExtended && end - now <= WarningLead : previousExpiring;
        return expiring
            ? new RefreshTokenExpiryAssessment(true, $"the refresh token expires at {at} and the IdP no longer extends it; authorise the client again and update the refresh token in the credentials Secret before then")
            : new RefreshTokenExpiryAssessment(false, $"the refresh token is valid until {at} and is extended by refreshes");
    }
}
