namespace RemoteWorkloadOperator.Chart.Tests;

/// <summary>
/// NOTES.txt, rendered without a cluster: `helm install --dry-run` still contacts one, so the test
/// renders a copy of the chart in which a ConfigMap carries NOTES.txt through `tpl`.
/// </summary>
public sealed class NotesTests : IDisposable
{
    private readonly DirectoryInfo _copy = Directory.CreateTempSubdirectory("chart-notes-");

    public void Dispose() => _copy.Delete(recursive: true);

    [Fact]
    public void Notes_tell_how_to_watch_phases_and_where_metrics_are()
    {
        var notes = RenderNotes();

        Assert.Contains("kubectl get rw -A -w", notes, StringComparison.Ordinal);
        Assert.Contains($"http://rw-remoteworkload-operator-metrics.{Helm.ReleaseNamespace}.svc:8080/metrics", notes, StringComparison.Ordinal);
        Assert.Contains("watching all namespaces", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_name_the_watched_namespaces_the_service_monitor_and_warn_about_development_switches()
    {
        var notes = RenderNotes("--values", Helm.ValuesFile("custom.yaml"));

        Assert.Contains("watching namespaces: team-a, team-b", notes, StringComparison.Ordinal);
        Assert.Contains($"ServiceMonitor {Helm.ReleaseNamespace}/rwo", notes, StringComparison.Ordinal);
        Assert.Contains("WARNING: development settings are on: allowInsecureEndpoints (http:// endpoints), allowPrivateEndpoints", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_name_the_workload_count_the_default_memory_limit_was_sized_for_and_this_release_s_limit()
    {
        Assert.Contains("sized for up to 10,000 workloads", RenderNotes(), StringComparison.Ordinal);
        Assert.Contains("this release's limit is 1280Mi", RenderNotes(), StringComparison.Ordinal);
        Assert.Contains("this release's limit is 300Mi", RenderNotes("--set", "resources.limits.memory=300Mi"), StringComparison.Ordinal);
        Assert.Contains("this release's limit is none", RenderNotes("--set", "resources=null"), StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_say_how_to_install_the_crd_when_the_chart_does_not()
    {
        Assert.Contains("kubectl apply -f config/crd/", RenderNotes("--set", "crds.install=false"), StringComparison.Ordinal);
    }

    private string RenderNotes(params string[] arguments)
    {
        CopyDirectory(Helm.ChartPath, _copy.FullName);
        File.Copy(Path.Combine(_copy.FullName, "templates", "NOTES.txt"), Path.Combine(_copy.FullName, "files", "notes-probe.txt"), overwrite: true);
        File.WriteAllText(Path.Combine(_copy.FullName, "templates", "notes-probe.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: notes-probe
            data:
              notes: {{ tpl (.Files.Get "files/notes-probe.txt") . | quote }}
            """);
        var result = Helm.Run(["template", Helm.ReleaseName, _copy.FullName, "--namespace", Helm.ReleaseNamespace, "--show-only", "templates/notes-probe.yaml", .. arguments]);
        Assert.True(result.ExitCode == 0, result.Error);
        return (string)YamlDocuments.Parse(result.Output).Single()["data"]!["notes"]!;
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)), overwrite: true);
        }
    }
}
