using System.Diagnostics;

namespace RemoteWorkloadOperator.Demo;

/// <summary>Shows what the real kubectl prints, when kubectl is installed.</summary>
internal static class Kubectl
{
    public static async Task ShowAsync(Narrator narrator, string kubeconfig, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        narrator.Say("$ kubectl " + string.Join(' ', arguments));
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                narrator.Say("  " + line);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            narrator.Say("  (kubectl is not installed; skipping)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            narrator.Say("  (kubectl did not answer in time)");
        }
    }
}
