namespace RemoteWorkloadOperator.Tokens;

/// <summary>
/// Turns a lifetime an IdP states in seconds (<c>expires_in</c>, <c>refresh_expires_in</c>) into an end on our clock.
/// A lifetime that is not positive or longer than <see cref="Longest"/> is no statement at all: no real server issues
/// a token for decades, and <c>issuedAt + seconds</c> past year 9999 would throw after the IdP had already rotated
/// the refresh token, losing it. Such a token is treated as one without a stated expiry (refreshed on the tick).
/// </summary>
internal static class StatedLifetime
{
    /// <summary>The longest lifetime taken at its word: ten years.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    /// <summary><paramref name="issuedAt"/> + <paramref name="seconds"/>, or null when the lifetime is absent or absurd.</summary>
    public static DateTimeOffset? EndOf(DateTimeOffset issuedAt, long? seconds) =>
        seconds is { } s && s > 0 && s <= (long)Longest.TotalSeconds ? issuedAt.AddSeconds(s) : null;
}
