using k8s;
using RemoteWorkloadOperator.Testing.PodRunner;

namespace RemoteWorkloadOperator.Demo;

/// <summary>Waits for the chart's Deployment to report a ready pod, or says in one line why its pod did not start.</summary>
internal static class PodStart
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);

    /// <summary>Null once the Deployment has a ready replica; otherwise why not: the pod's last line when it exited before it was ever ready, or the timeout.</summary>
    public static async Task<string?> WaitForReadyAsync(IKubernetes client, DeploymentPodRunner runner, CancellationToken cancellationToken)
    {
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStartFailed(RunningPod pod, string? lastLine) =>
            failed.TrySetResult($"{OneLine(lastLine) ?? "it exited without output"}; log {pod.LogPath}");
        runner.StartFailed += OnStartFailed;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadyWithin);
            while (true)
            {
                var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(ChartInstall.Release, ChartInstall.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
                if (deployment.Status?.ReadyReplicas >= 1)
                {
                    return null;
                }

                if (failed.Task.IsCompleted)
                {
                    return await failed.Task.ConfigureAwait(false);
                }

                await Task.WhenAny(failed.Task, Task.Delay(500, timeout.Token)).Unwrap().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"Deployment {ChartInstall.Namespace}/{ChartInstall.Release} was not ready within {ReadyWithin.TotalSeconds:0}s";
        }
        finally
        {
            runner.StartFailed -= OnStartFailed;
        }
    }

    private static string? OneLine(string? line) =>
        line is null ? null : line.Length <= 300 ? line : line[..300] + "…";
}
