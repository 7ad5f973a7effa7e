using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using RemoteWorkloadOperator.Testing.ControlPlane;

namespace RemoteWorkloadOperator.Testing.PodRunner;

/// <summary>
/// Test support standing in for the controller manager and a kubelet on the local control plane: it lists
/// Deployments every <see cref="PodRunnerOptions.Interval"/>, starts one pod per Deployment with replicas &gt; 0
/// (restarting it when the template's generation changes or it exits), stops it when the Deployment goes or
/// scales to 0, and writes replicas, readyReplicas and availableReplicas back into the Deployment's status
/// from the pod's readiness probe. One pod per Deployment: replicas &gt; 1 is reported as one.
/// </summary>
public sealed class DeploymentPodRunner : IAsyncDisposable
{
    private readonly LocalControlPlane _controlPlane;
    private readonly PodRunnerOptions _options;
    private readonly Kubernetes _admin;
    private readonly Dictionary<string, RunningPod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _reportedReady = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private DeploymentPodRunner(LocalControlPlane controlPlane, PodRunnerOptions options)
    {
        _controlPlane = controlPlane;
        _options = options;
        _admin = controlPlane.CreateAdminClient();
        Directory.CreateDirectory(options.WorkDirectory);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>Raised with a message when a pod starts, stops or changes readiness, and when one cannot start.</summary>
    public event Action<string>? Changed;

    /// <summary>
    /// Raised when a pod exits before its readiness probe ever answered ready (it could not start: a bad image,
    /// a container runtime that refuses it), with the pod and the last line it wrote. The runner restarts it as a
    /// kubelet would; the subscriber decides whether to keep waiting.
    /// </summary>
    public event Action<RunningPod, string?>? StartFailed;

    /// <summary>Pods by Deployment key (<c>namespace/name</c>).</summary>
    public IReadOnlyDictionary<string, RunningPod> Pods
    {
        get
        {
            lock (_pods)
            {
                return new Dictionary<string, RunningPod>(_pods, StringComparer.Ordinal);
            }
        }
    }

    public static DeploymentPodRunner Start(LocalControlPlane controlPlane, PodRunnerOptions options) => new(controlPlane, options);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        foreach (var pod in Pods.Values)
        {
            await pod.DisposeAsync().ConfigureAwait(false);
        }

        _admin.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_options.Interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException or InvalidOperationException or NotSupportedException)
            {
                Changed?.Invoke($"pod runner: {e.Message}");
                await Task.Delay(_options.Interval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        var deployments = _options.Namespace is { } only
            ? await _admin.AppsV1.ListNamespacedDeploymentAsync(only, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _admin.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deployment in deployments.Items)
        {
            var key = $"{deployment.Namespace()}/{deployment.Name()}";
            var generation = deployment.Metadata.Generation ?? 1;
            var pod = Pods.GetValueOrDefault(key);
            if ((deployment.Spec.Replicas ?? 1) > 0)
            {
                wanted.Add(key);
                if (pod is not null && pod.HasExited && !pod.WasReady)
                {
                    StartFailed?.Invoke(pod, pod.LastOutputLine());
                }

                if (pod is not null && (pod.Generation != generation || pod.HasExited))
                {
                    Changed?.Invoke($"pod {pod.Name} {(pod.HasExited ? "exited; restarting" : "has an old template; replacing")} (log {pod.LogPath})");
                    await RemoveAsync(key).ConfigureAwait(false);
                    pod = null;
                }

                pod ??= StartPod(deployment, generation);
            }

            var ready = pod is not null && await pod.IsReadyAsync(cancellationToken).ConfigureAwait(false);
            if (_reportedReady.GetValueOrDefault(key) != ready || deployment.Status?.ObservedGeneration != generation)
            {
                await ReportAsync(deployment, pod is null ? 0 : 1, ready, generation, cancellationToken).ConfigureAwait(false);
                _reportedReady[key] = ready;
                if (pod is not null)
                {
                    Changed?.Invoke($"pod {pod.Name} {(ready ? "ready" : "not ready")}");
                }
            }
        }

        foreach (var gone in Pods.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            Changed?.Invoke($"pod for {gone} stopped (its Deployment is gone or scaled to 0)");
            await RemoveAsync(gone).ConfigureAwait(false);
            _reportedReady.Remove(gone);
        }
    }

    private RunningPod StartPod(V1Deployment deployment, long generation)
    {
        var ns = deployment.Namespace();
        var podName = string.Create(CultureInfo.InvariantCulture, $"{deployment.Name()}-{generation}-runner");
        var template = deployment.Spec.Template;
        var container = template.Spec.Containers[0];
        var serviceAccount = template.Spec.ServiceAccountName ?? "default";
        var directory = Path.Combine(_options.WorkDirectory, $"{ns}.{podName}");
        Directory.CreateDirectory(directory);
        var logPath = Path.Combine(_options.WorkDirectory, $"{ns}.{podName}.log");
        RunningPod pod;
        if (_options.UsePodman)
        {
            var accountDirectory = WriteServiceAccountFiles(directory, ns, serviceAccount);
            var command = PodCommand.Podman(template, podName, ns, accountDirectory, _controlPlane.BaseAddress);
            pod = new RunningPod(podName, generation, command, _options.PodmanEnvironment, container, logPath, podName);
        }
        else
        {
            var entrypoint = _options.LocalEntrypoint(container.Image)
                ?? throw new NotSupportedException($"no local entrypoint for image {container.Image} and podman is not used");
            var kubeconfig = _controlPlane.WriteServiceAccountKubeconfig(ns, serviceAccount, Path.Combine(directory, "kubeconfig"));
            var (command, environment) = PodCommand.Local(template, entrypoint, podName, ns, kubeconfig);
            pod = new RunningPod(podName, generation, command, environment, container, logPath, null);
        }

        lock (_pods)
        {
            _pods[$"{ns}/{deployment.Name()}"] = pod;
        }

        Changed?.Invoke($"pod {ns}/{podName} started ({(_options.UsePodman ? $"podman, image {container.Image}" : "local process")}, pid {pod.ProcessId}, log {logPath})");
        return pod;
    }

    /// <summary>The projected ServiceAccount volume: token, ca.crt and namespace, readable by the container's user.</summary>
    private string WriteServiceAccountFiles(string directory, string ns, string serviceAccount)
    {
        var accountDirectory = Path.Combine(directory, "serviceaccount");
        Directory.CreateDirectory(accountDirectory);
        File.WriteAllText(Path.Combine(accountDirectory, "token"), _controlPlane.IssueServiceAccountToken(ns, serviceAccount));
        File.WriteAllText(Path.Combine(accountDirectory, "ca.crt"), _controlPlane.CertificateAuthorityPem);
        File.WriteAllText(Path.Combine(accountDirectory, "namespace"), ns);
        if (OperatingSystem.IsWindows())
        {
            return accountDirectory;
        }

        // The container runs as the template's non-root user, not as the owner of these files.
        var readable = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        foreach (var file in Directory.GetFiles(accountDirectory))
        {
            File.SetUnixFileMode(file, readable | UnixFileMode.UserWrite);
        }

        foreach (var path in new[] { accountDirectory, directory })
        {
            File.SetUnixFileMode(path, readable | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return accountDirectory;
    }

    private async Task ReportAsync(V1Deployment deployment, int replicas, bool ready, long generation, CancellationToken cancellationToken)
    {
        var status = new
        {
            status = new
            {
                observedGeneration = generation,
                replicas,
                updatedReplicas = replicas,
                readyReplicas = ready ? 1 : 0,
                availableReplicas = ready ? 1 : 0,
                unavailableReplicas = replicas - (ready ? 1 : 0),
            },
        };
        var patch = new V1Patch(JsonSerializer.Serialize(status), V1Patch.PatchType.MergePatch);
        await _admin.AppsV1.PatchNamespacedDeploymentStatusAsync(patch, deployment.Name(), deployment.Namespace(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveAsync(string key)
    {
        RunningPod? pod;
        lock (_pods)
        {
            _pods.Remove(key, out pod);
        }

        if (pod is not null)
        {
            await pod.DisposeAsync().ConfigureAwait(false);
        }
    }
}
