namespace RemoteWorkloadOperator.Entities.Schema;

/// <summary>
/// A cross-field rule emitted as <c>x-kubernetes-validations</c> on the annotated object's schema.
/// The operator's validator enforces the same rule in C#, so a cluster that skips CEL (or an
/// object stored before the rule existed) still cannot reach a monitor.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    public string Rule { get; } = rule;

    public string Message { get; } = message;
}
