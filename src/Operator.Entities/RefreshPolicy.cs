namespace RemoteWorkloadOperator.Entities;

/// <summary>When to refresh ahead of expiry (<c>spec.refresh</c>); <see cref="Default"/> holds the documented defaults.</summary>
public sealed record RefreshPolicy
{
    /// <summary>The documented defaults.</summary>
    public static RefreshPolicy Default { get; } = new();

    /// <summary>Refresh when the token has this long left ...</summary>
    public TimeSpan BeforeExpiry { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>... or when this fraction of its lifetime has passed, whichever is first.</summary>
    public double LifetimeFraction { get; init; } = 0.8;
}
