using System.Globalization;

namespace RemoteWorkloadOperator.Tokens;

/// <summary>Wording the engine's status messages and Events share with the conditions <c>StatusMapping</c> makes.</summary>
public static class RetryMessages
{
    /// <summary>"retrying every 10m until 2026-11-24T09:00:00Z": the AuthRetrying condition's message.</summary>
    public static string RetryingUntil(TimeSpan tickInterval, DateTimeOffset deadline) =>
        $"retrying every {Format(tickInterval)} until {Rfc3339(deadline)}";

    /// <summary>The RotationUnstored Event's and condition's message: what happened and what a person may have to do.</summary>
    public const string RotationUnstored =
        "the operator stopped holding a rotated refresh token it could not store in the state Secret; the stored one was already spent, so the next refresh will probably be refused with invalid_grant: if it is, put a new refresh token into the credentials Secret";

    /// <summary>"probing every 1h": how a workload that gave up at the ceiling keeps watching for the failure to heal.</summary>
    public static string Probing(TimeSpan probeInterval) => $"probing every {Format(probeInterval)}";

    /// <summary>The ShortTokenLifetime condition's and Event's message.</summary>
    public static string ShortTokenLifetime(TimeSpan lifetime) =>
        $"the IdP issues access tokens valid for {Format(lifetime)}, less than the operator's minimum refresh interval (--min-refresh-interval): the token is refreshed at that interval, so it expires before each refresh; ask the IdP for a longer access token lifetime";

    /// <summary>Whole-second RFC 3339 in UTC, as Kubernetes prints times, so messages match status timestamps.</summary>
    public static string Rfc3339(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0 ? $"{(int)span.TotalHours}h"
        : span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{(int)span.TotalMinutes}m"
        : $"{(int)span.TotalSeconds}s";
}
