namespace RemoteWorkloadOperator.Testing.PodRunner;

/// <summary>How <see cref="DeploymentPodRunner"/> starts the pods it finds.</summary>
public sealed record PodRunnerOptions
{
    /// <summary>Run containers with podman (the image must be in local storage); otherwise each pod is a local process.</summary>
    public bool UsePodman { get; init; }

    /// <summary>
    /// For local processes: the command that stands in for an image's entrypoint (e.g. <c>dotnet operator.dll</c>),
    /// or null when the image cannot run as a process. The template's args follow it.
    /// </summary>
    public Func<string, IReadOnlyList<string>?> LocalEntrypoint { get; init; } = _ => null;

    /// <summary>
    /// Environment for every podman call (e.g. <c>CONTAINERS_CONF</c>, which the repository's scripts set so
    /// that podman's default ulimits do not exceed a sandbox's hard limits); added to this process's own.
    /// </summary>
    public IReadOnlyDictionary<string, string> PodmanEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Only Deployments of this namespace get pods (null: every namespace). The demo runs the operator's
    /// namespace only: the sample consumer Deployment names an image that exists nowhere.</summary>
    public string? Namespace { get; init; }

    /// <summary>Directory for each pod's log file and ServiceAccount files.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>How often Deployments are listed and probes are called.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(500);
}
