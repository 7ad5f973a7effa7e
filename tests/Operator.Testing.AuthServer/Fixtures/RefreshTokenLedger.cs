using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace RemoteWorkloadOperator.Testing.AuthServer.Fixtures;

/// <summary>How an IdP treats a refresh token once it has been used.</summary>
/// <param name="Rotates">A new refresh token comes with every refresh.</param>
/// <param name="ReuseOverlap">How long after rotation the old token is still accepted (Okta's grace period, Auth0's
/// reuse interval); <see cref="Timeout.InfiniteTimeSpan"/> when old tokens stay valid (Entra ID, Keycloak's default).</param>
/// <param name="RevokesFamilyOnReuse">Presenting a used token after the overlap revokes every descendant (reuse detection).</param>
public sealed record RotationPolicy(bool Rotates, TimeSpan ReuseOverlap, bool RevokesFamilyOnReuse)
{
    /// <summary>The refresh token stays the same and can be used any number of times (Google, Salesforce).</summary>
    public static RotationPolicy None { get; } = new(false, Timeout.InfiniteTimeSpan, false);

    /// <summary>A new token on every use; the old one is dead at once and its reuse kills the family.</summary>
    public static RotationPolicy StrictWithReuseDetection { get; } = new(true, TimeSpan.Zero, true);
}

/// <summary>What presenting a refresh token produced.</summary>
public enum RedeemOutcome
{
    /// <summary>Accepted.</summary>
    Accepted,

    /// <summary>Never issued, revoked, or expired.</summary>
    Invalid,

    /// <summary>Already used, outside the overlap: rejected (and, with reuse detection, the family is revoked).</summary>
    Reused,
}

/// <summary>Refresh tokens of a fixture IdP: issue, redeem with its rotation policy, revoke.</summary>
public sealed class RefreshTokenLedger(RotationPolicy policy, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The policy.</summary>
    public RotationPolicy Policy => policy;

    /// <summary>Issues a refresh token that starts a new family.</summary>
    public string Issue(string prefix = "rt_") => Add(prefix, Guid.NewGuid());

    /// <summary>Redeems <paramref name="token"/>: the outcome and the refresh token to return (null when none is returned).</summary>
    public (RedeemOutcome Outcome, string? Successor) Redeem(string? token)
    {
        lock (_gate)
        {
            if (token is null || !_tokens.TryGetValue(token, out var entry) || entry.Revoked)
            {
                return (RedeemOutcome.Invalid, null);
            }

            var now = clock.GetUtcNow();
            if (entry.UsedAt is { } usedAt)
            {
                var withinOverlap = policy.ReuseOverlap == Timeout.InfiniteTimeSpan || now - usedAt <= policy.ReuseOverlap;
                if (!withinOverlap)
                {
                    if (policy.RevokesFamilyOnReuse)
                    {
                        foreach (var other in _tokens.Values.Where(e => e.Family == entry.Family))
                        {
                            other.Revoked = true;
                        }
                    }

                    return (RedeemOutcome.Reused, null);
                }
            }

            if (!policy.Rotates)
            {
                return (RedeemOutcome.Accepted, null);
            }

            entry.UsedAt ??= now;
            return (RedeemOutcome.Accepted, Add(entry.Prefix, entry.Family));
        }
    }

    /// <summary>Revokes every token (the user withdrew consent).</summary>
    public void RevokeAll()
    {
        foreach (var entry in _tokens.Values)
        {
            entry.Revoked = true;
        }
    }

    private string Add(string prefix, Guid family)
    {
        var token = prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
        _tokens[token] = new Entry(family, prefix);
        return token;
    }

    private sealed class Entry(Guid family, string prefix)
    {
        public Guid Family { get; } = family;

        public string Prefix { get; } = prefix;

        public DateTimeOffset? UsedAt { get; set; }

        public bool Revoked { get; set; }
    }
}
