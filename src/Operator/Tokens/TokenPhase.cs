namespace RemoteWorkloadOperator.Tokens;

/// <summary>The engine's view of a workload's phase. The controller maps it to <c>status.phase</c>.</summary>
public enum TokenPhase
{
    /// <summary>No token yet, or waiting for credentials.</summary>
    Pending,

    /// <summary>A valid access token is published and refreshed on schedule.</summary>
    Running,

    /// <summary>Transient failures outlasted the short retry; one attempt per tick until the deadline.</summary>
    AuthRetrying,

    /// <summary>The IdP rejected the credentials, or the AuthRetrying ceiling passed. Idle until a trigger.</summary>
    Unauthenticated,

    /// <summary>The spec cannot work as written (set by the controller; the monitor idles in it until a trigger).</summary>
    Failed,
}
