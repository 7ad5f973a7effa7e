using System.Text.Json.Serialization;

namespace RemoteWorkloadOperator.Entities;

/// <summary>The lifecycle phase reported in <c>status.phase</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkloadPhase>))]
public enum WorkloadPhase
{
    /// <summary>Accepted; no token yet, or waiting for a referenced Secret.</summary>
    Pending,

    /// <summary>A valid access token is published and refreshed on schedule.</summary>
    Running,

    /// <summary>Transient failures outlasted the short retry; background attempts continue until the deadline.</summary>
    AuthRetrying,

    /// <summary>The IdP rejected the credentials, or the AuthRetrying ceiling passed.</summary>
    Unauthenticated,

    /// <summary>The spec cannot work as written.</summary>
    Failed,
}
