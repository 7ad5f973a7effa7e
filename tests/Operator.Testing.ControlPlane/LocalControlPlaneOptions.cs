namespace RemoteWorkloadOperator.Testing.ControlPlane;

/// <summary>Options of <see cref="LocalControlPlane.StartAsync"/>.</summary>
public sealed record LocalControlPlaneOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Where to write the admin kubeconfig; null = a file in <see cref="WorkDirectory"/>.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Directory for kubeconfigs; null = a new temporary directory (deleted on dispose).</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>YAML files or directories applied (as admin) at start, e.g. config/crd and config/rbac.</summary>
    public IReadOnlyList<string> ApplyAtStart { get; init; } = [];

    /// <summary>How often an idle watch with allowWatchBookmarks receives a BOOKMARK (the real server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Watch length when the client sends no timeoutSeconds (the real server: 30–60 minutes).</summary>
    public TimeSpan DefaultWatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Events kept for watch resumption; older resourceVersions answer 410 Expired.</summary>
    public int HistoryLimit { get; init; } = 10_000;

    /// <summary>A fixed admin bearer token (default: random).</summary>
    public string? AdminToken { get; init; }

    /// <summary>
    /// Enables the OwnerReferencesPermissionEnforcement admission plugin: setting ownerReferences needs
    /// <c>delete</c> on the object, and <c>blockOwnerDeletion</c> needs <c>update</c> on the owner's finalizers
    /// (as on OpenShift and hardened clusters). Admin (system:masters) requests always pass.
    /// </summary>
    public bool OwnerReferencesPermissionEnforcement { get; init; }
}
