using System.Globalization;
using k8s.Models;

namespace RemoteWorkloadOperator.Testing.PodRunner;

/// <summary>
/// Turns a pod template's first container into the command that runs it: <c>podman run</c> with the
/// template's security context, volumes, in-cluster environment and a ServiceAccount token, or a local
/// process with the template's args and environment and a kubeconfig for the ServiceAccount.
/// </summary>
internal static class PodCommand
{
    private const string ServiceAccountMount = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static IReadOnlyList<string> Podman(V1PodTemplateSpec template, string podName, string podNamespace, string serviceAccountDirectory, Uri apiServer)
    {
        var spec = template.Spec;
        var container = spec.Containers[0];
        var security = container.SecurityContext;
        var podSecurity = spec.SecurityContext;
        var command = new List<string> { "podman", "run", "--rm", "--pull=never", "--name", podName, "--network", "host" };
        if (security?.ReadOnlyRootFilesystem == true)
        {
            command.Add("--read-only");
        }

        foreach (var drop in security?.Capabilities?.Drop ?? [])
        {
            command.Add($"--cap-drop={drop}");
        }

        if (security?.AllowPrivilegeEscalation == false)
        {
            command.AddRange(["--security-opt", "no-new-privileges"]);
        }

        var user = security?.RunAsUser ?? podSecurity?.RunAsUser;
        var group = security?.RunAsGroup ?? podSecurity?.RunAsGroup ?? user;
        if (user is not null)
        {
            command.AddRange(["--user", string.Create(CultureInfo.InvariantCulture, $"{user}:{group}")]);
        }

        // emptyDir volumes become tmpfs mounts at each mount path.
        var emptyDirs = (spec.Volumes ?? []).Where(v => v.EmptyDir is not null).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (emptyDirs.Contains(mount.Name))
            {
                command.AddRange(["--tmpfs", $"{mount.MountPath}:rw,mode=1777"]);
            }
        }

        command.AddRange(["-v", $"{serviceAccountDirectory}:{ServiceAccountMount}:ro"]);
        var environment = Environment(container, podName, podNamespace, spec.ServiceAccountName);
        environment["KUBERNETES_SERVICE_HOST"] = apiServer.Host;
        environment["KUBERNETES_SERVICE_PORT"] = apiServer.Port.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment)
        {
            command.AddRange(["-e", $"{name}={value}"]);
        }

        if (container.Command is { Count: > 0 })
        {
            command.AddRange(["--entrypoint", container.Command[0]]);
        }

        command.Add(container.Image);
        command.AddRange(container.Command?.Skip(1) ?? []);
        command.AddRange(container.Args ?? []);
        return command;
    }

    public static (IReadOnlyList<string> Command, Dictionary<string, string> Environment) Local(V1PodTemplateSpec template, IReadOnlyList<string> entrypoint, string podName, string podNamespace, string kubeconfig)
    {
        var container = template.Spec.Containers[0];
        var environment = Environment(container, podName, podNamespace, template.Spec.ServiceAccountName);
        environment["KUBECONFIG"] = kubeconfig;
        return ([.. entrypoint, .. container.Args ?? []], environment);
    }

    /// <summary>Literal values and the downward-API fields the chart uses; anything else is refused loudly.</summary>
    private static Dictionary<string, string> Environment(V1Container container, string podName, string podNamespace, string? serviceAccount)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable.ValueFrom?.FieldRef?.FieldPath switch
            {
                null when variable.ValueFrom is null => variable.Value ?? "",
                "metadata.name" => podName,
                "metadata.namespace" => podNamespace,
                "spec.serviceAccountName" => serviceAccount ?? "default",
                "status.podIP" => "127.0.0.1",
                _ => throw new NotSupportedException($"the pod runner cannot resolve env {variable.Name} (only values and metadata.name/namespace, spec.serviceAccountName, status.podIP)"),
            };
        }

        return environment;
    }
}
