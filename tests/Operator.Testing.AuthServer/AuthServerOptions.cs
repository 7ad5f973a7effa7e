namespace RemoteWorkloadOperator.Testing.AuthServer;

/// <summary>Options of <see cref="TestAuthorizationServer"/>.</summary>
public sealed record AuthServerOptions
{
    /// <summary>Lifetime of issued access tokens (changeable at run time through <see cref="TestAuthorizationServer.AccessTokenLifetime"/>).</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of issued refresh tokens.</summary>
    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Also listen with TLS on a self-signed certificate.</summary>
    public bool EnableTls { get; init; } = true;

    /// <summary>Publish <c>mtls_endpoint_aliases.token_endpoint</c> (RFC 8705 §5) in the metadata: <see cref="TestAuthorizationServer.MutualTlsAliasPath"/> on the TLS listener.</summary>
    public bool PublishMutualTlsAlias { get; init; }

    /// <summary>HTTP port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>TLS port; 0 picks a free one.</summary>
    public int TlsPort { get; init; }

    /// <summary>Clock for the request timestamps the server records.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
