namespace RemoteWorkloadOperator.Tokens;

/// <summary>The ports one monitor talks to besides the token endpoint. Any of them may be shared between monitors.</summary>
public sealed record TokenMonitorPorts(
    ICredentialsSource Credentials,
    IRotatedRefreshTokenSink RotatedRefreshTokens,
    ITokenPublisher Publisher,
    IStatusSink Status);
