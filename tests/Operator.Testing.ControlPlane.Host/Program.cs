using RemoteWorkloadOperator.Testing.ControlPlane;
using RemoteWorkloadOperator.Testing.ControlPlane.Host;

var parsed = HostArguments.Parse(args);
if (parsed.Error is not null)
{
    await Console.Error.WriteLineAsync(parsed.Error).ConfigureAwait(false);
    await Console.Error.WriteLineAsync(HostArguments.Usage).ConfigureAwait(false);
    return 2;
}

using var stop = new CancellationTokenSource();
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var controlPlane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions
{
    Port = parsed.Port,
    KubeconfigPath = Path.GetFullPath(parsed.KubeconfigOut!),
    WorkDirectory = Path.GetDirectoryName(Path.GetFullPath(parsed.KubeconfigOut!)),
    ApplyAtStart = [.. parsed.Crds, .. parsed.Rbac],
    OwnerReferencesPermissionEnforcement = parsed.OwnerReferencesPermissionEnforcement,
}).ConfigureAwait(false);

if (parsed.Rbac.Count > 0)
{
    foreach (var (ns, name) in HostArguments.ServiceAccountsIn(parsed.Rbac))
    {
        var path = parsed.ServiceAccountKubeconfigOut ?? Path.Combine(Path.GetDirectoryName(controlPlane.KubeconfigPath)!, $"{name}.kubeconfig");
        controlPlane.WriteServiceAccountKubeconfig(ns, name, path);
        Console.WriteLine($"serviceaccount-kubeconfig: {path} ({ns}/{name})");
    }
}

Console.WriteLine($"server: {controlPlane.BaseAddress}");
Console.WriteLine($"kubeconfig: {controlPlane.KubeconfigPath}");
await Console.Out.FlushAsync().ConfigureAwait(false);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
}

Console.WriteLine("control plane stopped");
return 0;
