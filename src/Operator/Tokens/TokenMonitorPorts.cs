namespace RemoteWorkloadOperator.Tokens;

/// <summary>The ports one monitor talks to. Any of them may be shared between monitors.</summary>
public sealed record TokenMonitorPorts(
    ITokenEndpointClient TokenClient,
    ICredentialsSource Credentials,
    IRotatedRefreshTokenSink RotatedRefreshTokens,
    ITokenPublisher Publisher,
    IStatusSink Status);
