namespace RemoteWorkloadOperator.Tokens;

/// <summary>Reads the credentials of one workload at the start of every attempt.</summary>
public interface ICredentialsSource
{
    /// <summary>Current credentials. Throws <see cref="CredentialsUnavailableException"/> when a Secret or key is missing.</summary>
    ValueTask<MonitorCredentials> GetAsync(CancellationToken cancellationToken);
}

/// <summary>Persists a refresh token the IdP rotated. Called before the access token is published.</summary>
public interface IRotatedRefreshTokenSink
{
    /// <summary>Store <paramref name="rotated"/>. Throwing makes the attempt a transient failure; the engine keeps the token in
    /// memory and writes it again before it sends another request. The call runs under the stop grace bound, not the stop.</summary>
    ValueTask StoreAsync(RotatedRefreshToken rotated, CancellationToken cancellationToken);
}

/// <summary>Publishes an access token where consumers read it (the token Secret).</summary>
public interface ITokenPublisher
{
    /// <summary>Publish <paramref name="token"/>. Throwing makes the attempt a transient failure.</summary>
    ValueTask PublishAsync(PublishedToken token, CancellationToken cancellationToken);
}

/// <summary>The one writer of a workload's status. Receives one call per transition with the complete desired status.</summary>
public interface IStatusSink
{
    /// <summary>Write <paramref name="update"/> (status and, when set, its event).</summary>
    ValueTask WriteAsync(StatusUpdate update, CancellationToken cancellationToken);
}

/// <summary>Randomness for jitter, injected so tests are deterministic.</summary>
public interface IJitterSource
{
    /// <summary>A value in [0, 1). 0.5 means "no jitter" for symmetric jitter.</summary>
    double NextDouble();
}

/// <summary>The production jitter source.</summary>
public sealed class RandomJitterSource : IJitterSource
{
    /// <summary>Shared instance (thread-safe).</summary>
    public static RandomJitterSource Instance { get; } = new();

    /// <inheritdoc />
    public double NextDouble() => Random.Shared.NextDouble();
}

/// <summary>A refresh token the IdP rotated, with the lineage (<see cref="MonitorCredentials.Lineage"/>) it descends from.</summary>
public sealed record RotatedRefreshToken(string RefreshToken, string DescendsFrom)
{
    /// <inheritdoc />
    public override string ToString() => $"RotatedRefreshToken {{ RefreshToken = ***, DescendsFrom = {DescendsFrom} }}";
}

/// <summary>What consumers see: the access token and its metadata.</summary>
public sealed record PublishedToken(string AccessToken, string TokenType, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt, string? Scope)
{
    /// <summary>As <see cref="TokenGrant.TokenBinding"/>: which certificate a consumer must present with the token, if any.</summary>
    public string? TokenBinding { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"PublishedToken {{ AccessToken = ***, TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope} }}";
}
