using System.Reflection;
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

    [Fact]
    public void The_controller_runtime_knows_nothing_of_RemoteWorkloads_or_tokens()
    {
        string[] forbidden = ["RemoteWorkloadOperator.Controller", "RemoteWorkloadOperator.Cluster", "RemoteWorkloadOperator.Tokens", "RemoteWorkloadOperator.Entities"];
        var runtime = typeof(RemoteWorkloadOperator.Runtime.WorkQueue<>).Assembly.GetTypes().Where(t => t.Namespace == "RemoteWorkloadOperator.Runtime").ToList();
        Assert.NotEmpty(runtime);

        var offending = runtime
            .SelectMany(t => SignatureTypes(t).Select(used => (t, used)))
            .Where(pair => pair.used.Namespace is { } ns && forbidden.Any(f => ns == f || ns.StartsWith(f + ".", StringComparison.Ordinal)))
            .Select(pair => $"{pair.t.Name} uses {pair.used.FullName}")
            .Distinct()
            .ToList();

        Assert.Empty(offending);
    }

    // What a type's shape mentions: base type, interfaces, fields, properties, constructor and method signatures.
    private static IEnumerable<Type> SignatureTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var direct = new List<Type?> { type.BaseType };
        direct.AddRange(type.GetInterfaces());
        direct.AddRange(type.GetFields(all).Select(f => f.FieldType));
        direct.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            direct.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                direct.Add(info.ReturnType);
            }
        }

        return direct.OfType<Type>().SelectMany(Expand);
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        var element = type.HasElementType ? type.GetElementType() : null;
        foreach (var inner in (element is null ? [] : new[] { element }).Concat(type.IsGenericType ? type.GetGenericArguments() : []))
        {
            foreach (var nested in Expand(inner))
            {
                yield return nested;
            }
        }
    }
}
