using System.Text.RegularExpressions;
using RemoteWorkloadOperator.Testing.ControlPlane.Tests.Support;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Tests;

/// <summary>The emulator driven by the real kubectl 1.33 binary (and the version dispatcher on PATH).</summary>
public sealed partial class KubectlConformanceTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Kubectl Kubectl => fixture.Kubectl();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    private static string Squash(string line) => Spaces().Replace(line.Trim(), " ");

    private async Task<string> NamespaceAsync(string prefix)
    {
        // kubectl create namespace sends a protobuf body.
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        (await Kubectl.RunAsync("create", "namespace", name)).EnsureSuccess();
        return name;
    }

    private async Task CreateSampleAsync(string ns, string name)
    {
        var yaml = $"""
            apiVersion: workloads.dev/v1alpha1
            kind: RemoteWorkload
            metadata:
              name: {name}
              namespace: {ns}
            spec:
              url: https://{name}.example.com/api
              oauth:
                tokenUrl: https://idp.example.com/token
                grant: ClientCredentials
                clientId: c1
            """;
        await fixture.ControlPlane.ApplyYamlAsync(yaml, cancellationToken: Ct);
    }

    [Fact]
    public async Task Client_side_apply_of_config_crd_rbac_and_samples()
    {
        await using var cp = await LocalControlPlane.StartAsync(cancellationToken: Ct);
        var kubectl = new Kubectl(Kubectl.Fixed133, cp.KubeconfigPath, fixture.Scratch + "/csa");

        var crd = (await kubectl.RunAsync("apply", "-f", RepositoryPaths.Crds)).EnsureSuccess();
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/remoteworkloads.workloads.dev created", crd.Stdout, StringComparison.Ordinal);
        var rbac = (await kubectl.RunAsync("apply", "-f", RepositoryPaths.Rbac)).EnsureSuccess();
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/remoteworkload-operator created", rbac.Stdout, StringComparison.Ordinal);
        Assert.Contains("serviceaccount/remoteworkload-operator created", rbac.Stdout, StringComparison.Ordinal);
        var samples = (await kubectl.RunAsync("apply", "-f", RepositoryPaths.Samples)).EnsureSuccess();
        Assert.Contains("remoteworkload.workloads.dev/sourcegraph created", samples.Stdout, StringComparison.Ordinal);
        Assert.Contains("secret/idp-creds created", samples.Stdout, StringComparison.Ordinal);

        var again = (await kubectl.RunAsync("apply", "-f", RepositoryPaths.Samples)).EnsureSuccess();
        Assert.Contains("remoteworkload.workloads.dev/sourcegraph unchanged", again.Stdout, StringComparison.Ordinal);

        var changed = Path.Combine(fixture.Scratch, "changed-sample.yaml");
        await File.WriteAllTextAsync(changed, (await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Samples, "02-refresh-token-workload.yaml"), Ct)).Replace("beforeExpiry: 60s", "beforeExpiry: 90s", StringComparison.Ordinal), Ct);
        var diff = await kubectl.RunAsync("diff", "-f", changed);
        Assert.True(diff.ExitCode == 1, diff.ToString());
        Assert.Contains("+    beforeExpiry: 90s", diff.Stdout, StringComparison.Ordinal);
        var configured = (await kubectl.RunAsync("apply", "-f", changed)).EnsureSuccess();
        Assert.Contains("remoteworkload.workloads.dev/sourcegraph configured", configured.Stdout, StringComparison.Ordinal);
        Assert.Equal("90s", (await kubectl.RunAsync("get", "rw", "sourcegraph", "-o", "jsonpath={.spec.refresh.beforeExpiry}")).EnsureSuccess().Stdout);
        Assert.Equal("2", (await kubectl.RunAsync("get", "rw", "sourcegraph", "-o", "jsonpath={.metadata.generation}")).EnsureSuccess().Stdout);

        var changedSecret = Path.Combine(fixture.Scratch, "changed-secret.yaml");
        await File.WriteAllTextAsync(changedSecret, (await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Samples, "01-refresh-token-credentials.yaml"), Ct)).Replace("replace-with-the-client-secret", "rotated", StringComparison.Ordinal), Ct);
        Assert.Contains("secret/idp-creds configured", (await kubectl.RunAsync("apply", "-f", changedSecret)).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Equal(Convert.ToBase64String("rotated"u8.ToArray()), (await kubectl.RunAsync("get", "secret", "idp-creds", "-o", "jsonpath={.data.client_secret}")).EnsureSuccess().Stdout);

        var names = (await kubectl.RunAsync("get", "rw", "-o", "name")).EnsureSuccess();
        Assert.Equal(["remoteworkload.workloads.dev/billing-api", "remoteworkload.workloads.dev/sourcegraph"], names.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Server_side_apply_of_config_crd_rbac_and_samples()
    {
        await using var cp = await LocalControlPlane.StartAsync(cancellationToken: Ct);
        var kubectl = new Kubectl(Kubectl.Fixed133, cp.KubeconfigPath, fixture.Scratch + "/ssa");
        foreach (var directory in new[] { RepositoryPaths.Crds, RepositoryPaths.Rbac, RepositoryPaths.Samples })
        {
            var result = (await kubectl.RunAsync("apply", "--server-side", "-f", directory)).EnsureSuccess();
            Assert.Contains("serverside-applied", result.Stdout, StringComparison.Ordinal);
        }

        var url = (await kubectl.RunAsync("get", "rw", "sourcegraph", "-o", "jsonpath={.spec.url}")).EnsureSuccess();
        Assert.Equal("https://sourcegraph.example.com/.api/mcp", url.Stdout);
        var reapplied = (await kubectl.RunAsync("apply", "--server-side", "-f", RepositoryPaths.Samples)).EnsureSuccess();
        Assert.Contains("remoteworkload.workloads.dev/sourcegraph serverside-applied", reapplied.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_rw_shows_the_printer_columns()
    {
        var ns = await NamespaceAsync("columns");
        await CreateSampleAsync(ns, "printed");
        (await Kubectl.RunAsync("patch", "rw", "printed", "-n", ns, "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Running","reason":"TokenIssued","conditions":[{"type":"Ready","status":"True","reason":"TokenIssued","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}],"token":{"expiresAt":"2030-01-01T00:00:00Z"}}}""")).EnsureSuccess();

        var table = (await Kubectl.RunAsync("get", "rw", "-n", ns)).EnsureSuccess();
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("NAME PHASE READY EXPIRES RETRYING-SINCE DEADLINE AGE", Squash(lines[0]));
        Assert.Matches(@"^printed Running True 2030-01-01T00:00:00Z \d+s$", Squash(lines[1]));

        var wide = (await Kubectl.RunAsync("get", "rw", "-n", ns, "-o", "wide")).EnsureSuccess();
        var wideLines = wide.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("NAME PHASE READY EXPIRES RETRYING-SINCE DEADLINE AGE URL REASON", Squash(wideLines[0]));
        Assert.EndsWith("https://printed.example.com/api TokenIssued", Squash(wideLines[1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_watch_prints_a_new_row_on_change()
    {
        var ns = await NamespaceAsync("getw");
        await CreateSampleAsync(ns, "watched");
        using var watch = Kubectl.Start("get", "rw", "-n", ns, "-w");
        await watch.WaitForAsync(o => o.Contains("watched", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the initial row");

        (await Kubectl.RunAsync("patch", "rw", "watched", "-n", ns, "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"AuthRetrying"}}""")).EnsureSuccess();
        await watch.WaitForAsync(o => o.Contains("AuthRetrying", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the changed row");
        await CreateSampleAsync(ns, "added-later");
        await watch.WaitForAsync(o => o.Contains("added-later", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the new object's row");
        Assert.Equal(1, Regex.Count(watch.Output, "^NAME", RegexOptions.Multiline));
    }

    [Fact]
    public async Task Describe_shows_spec_and_metadata()
    {
        var ns = await NamespaceAsync("describe");
        await CreateSampleAsync(ns, "described");
        var result = (await Kubectl.RunAsync("describe", "rw", "described", "-n", ns)).EnsureSuccess();
        Assert.Contains("Name:         described", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Namespace:    {ns}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Kind:         RemoteWorkload", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Client Authentication:  ClientSecretBasic", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Events:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_rw_spec_retry_uses_the_openapi_v3_schema()
    {
        var result = (await Kubectl.RunAsync("explain", "rw.spec.retry")).EnsureSuccess();
        Assert.Contains("KIND:       RemoteWorkload", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("FIELD: retry <Object>", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("tickInterval\t<string>", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("maxAttempts\t<integer>", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Annotate_label_and_delete()
    {
        var ns = await NamespaceAsync("meta");
        await CreateSampleAsync(ns, "tagged");
        Assert.Contains("annotated", (await Kubectl.RunAsync("annotate", "rw", "tagged", "-n", ns, "workloads.dev/retry-requested-at=2026-11-24T10:00:00Z")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        Assert.Contains("labeled", (await Kubectl.RunAsync("label", "rw", "tagged", "-n", ns, "team=a")).EnsureSuccess().Stdout, StringComparison.Ordinal);
        var selected = (await Kubectl.RunAsync("get", "rw", "-n", ns, "-l", "team=a", "-o", "jsonpath={.items[*].metadata.annotations.workloads\\.dev/retry-requested-at}")).EnsureSuccess();
        Assert.Equal("2026-11-24T10:00:00Z", selected.Stdout);
        var generation = (await Kubectl.RunAsync("get", "rw", "tagged", "-n", ns, "-o", "jsonpath={.metadata.generation}")).EnsureSuccess();
        Assert.Equal("1", generation.Stdout);

        Assert.Contains("remoteworkload.workloads.dev \"tagged\" deleted", (await Kubectl.RunAsync("delete", "rw", "tagged", "-n", ns)).EnsureSuccess().Stdout, StringComparison.Ordinal);
        var after = await Kubectl.RunAsync("get", "rw", "tagged", "-n", ns);
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("Error from server (NotFound): remoteworkloads.workloads.dev \"tagged\" not found", after.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_for_jsonpath_phase_after_a_status_patch()
    {
        var ns = await NamespaceAsync("wait");
        await CreateSampleAsync(ns, "waited");
        var waiting = Kubectl.RunAsync("wait", "--for=jsonpath={.status.phase}=Running", "rw/waited", "-n", ns, "--timeout=20s");
        (await Kubectl.RunAsync("patch", "rw", "waited", "-n", ns, "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Running"}}""")).EnsureSuccess();
        var result = (await waiting).EnsureSuccess();
        Assert.Contains("remoteworkload.workloads.dev/waited condition met", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_of_a_manifest_the_schema_rejects_is_422()
    {
        var file = Path.Combine(fixture.Scratch, "invalid.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: workloads.dev/v1alpha1
            kind: RemoteWorkload
            metadata: { name: rejected }
            spec:
              url: ftp://nope
              oauth: { grant: Password, clientId: c1, tokenUrl: https://idp.example.com/token }
            """, Ct);
        var result = await Kubectl.RunAsync("apply", "-f", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The RemoteWorkload \"rejected\" is invalid:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.oauth.grant: Unsupported value: \"Password\"", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.url: Invalid value: \"ftp://nope\"", result.Stderr, StringComparison.Ordinal);

        await File.WriteAllTextAsync(file, """
            apiVersion: workloads.dev/v1alpha1
            kind: RemoteWorkload
            metadata: { name: unknown-field }
            spec:
              url: https://x.example.com
              typo: 1
              oauth: { grant: ClientCredentials, clientId: c1, tokenUrl: https://idp.example.com/token }
            """, Ct);
        var strict = await Kubectl.RunAsync("apply", "-f", file);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.typo\"", strict.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_with_a_stale_resource_version_is_409()
    {
        var ns = await NamespaceAsync("stale");
        await CreateSampleAsync(ns, "stale");
        var yaml = (await Kubectl.RunAsync("get", "rw", "stale", "-n", ns, "-o", "yaml")).EnsureSuccess().Stdout;
        (await Kubectl.RunAsync("label", "rw", "stale", "-n", ns, "bump=1")).EnsureSuccess();
        var file = Path.Combine(fixture.Scratch, $"stale-{ns}.yaml");
        await File.WriteAllTextAsync(file, yaml, Ct);
        var result = await Kubectl.RunAsync("replace", "-f", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error from server (Conflict)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_account_is_forbidden_a_verb_its_role_lacks()
    {
        var ns = await NamespaceAsync("forbidden");
        await CreateSampleAsync(ns, "protected");
        var kubeconfig = fixture.ControlPlane.WriteServiceAccountKubeconfig("remoteworkload-system", "remoteworkload-operator");
        var asOperator = fixture.Kubectl(kubeconfig: kubeconfig);
        (await asOperator.RunAsync("get", "rw", "-n", ns)).EnsureSuccess();
        var result = await asOperator.RunAsync("delete", "rw", "protected", "-n", ns);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(
            $"Error from server (Forbidden): remoteworkloads.workloads.dev \"protected\" is forbidden: User \"system:serviceaccount:remoteworkload-system:remoteworkload-operator\" cannot delete resource \"remoteworkloads\" in API group \"workloads.dev\" in the namespace \"{ns}\"",
            result.Stderr, StringComparison.Ordinal);
        var listNamespaces = await asOperator.RunAsync("get", "namespaces");
        Assert.Equal(1, listNamespaces.ExitCode);
        Assert.Contains("cannot list resource \"namespaces\" in API group \"\" at the cluster scope", listNamespaces.Stderr, StringComparison.Ordinal);

        Assert.Equal("no", (await asOperator.RunAsync("auth", "can-i", "delete", "remoteworkloads", "-n", ns)).Stdout.Trim());
        Assert.Equal("yes", (await asOperator.RunAsync("auth", "can-i", "patch", "remoteworkloads", "--subresource=status", "-n", ns)).Stdout.Trim());
        Assert.Equal("yes", (await asOperator.RunAsync("auth", "can-i", "create", "leases", "-n", "remoteworkload-system")).Stdout.Trim());
        Assert.Contains("system:serviceaccount:remoteworkload-system:remoteworkload-operator", (await asOperator.RunAsync("auth", "whoami")).EnsureSuccess().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatcher_kubectl_on_path_picks_a_binary_for_the_server_version()
    {
        Assert.SkipUnless(Kubectl.Available(Kubectl.Dispatcher), "the kubectl dispatcher is not installed at /usr/bin/kubectl");
        var dispatcher = fixture.Kubectl(Kubectl.Dispatcher);
        var version = (await dispatcher.RunAsync("version")).EnsureSuccess();
        Assert.Contains("Server Version: v1.33.0", version.Stdout, StringComparison.Ordinal);
        var ns = await NamespaceAsync("dispatch");
        await CreateSampleAsync(ns, "dispatched");
        var table = (await dispatcher.RunAsync("get", "rw", "-n", ns)).EnsureSuccess();
        Assert.Equal("NAME PHASE READY EXPIRES RETRYING-SINCE DEADLINE AGE", Squash(table.Stdout.Split('\n')[0]));
    }
}
