using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests;

/// <summary>The layering docs/architecture.md describes, checked on the compiled assemblies.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void The_token_engine_knows_no_Kubernetes_type_and_nothing_of_the_controller()
    {
        var references = typeof(TokenMonitor).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain("KubernetesClient", references);
        Assert.DoesNotContain(typeof(RemoteWorkloadOperator.Controller.WorkloadReconciler).Assembly.GetName().Name, references);
        // It reads the one vocabulary of the API instead of keeping its own.
        Assert.Contains(typeof(WorkloadPhase).Assembly.GetName().Name, references);
    }

    [Fact]
    public void The_API_types_do_no_IO_beyond_the_Kubernetes_object_model()
    {
        var references = typeof(RemoteWorkload).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(typeof(TokenMonitor).Assembly.GetName().Name, references);
        Assert.DoesNotContain("System.Net.Http", references);
    }
}
