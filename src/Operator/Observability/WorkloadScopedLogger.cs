using Microsoft.Extensions.Logging;

namespace RemoteWorkloadOperator.Observability;

/// <summary>
/// Wraps every entry of one workload's monitor in a scope carrying its namespace and name.
/// Monitors log from timer callbacks, where no ambient scope exists, so the scope is attached
/// per call rather than once around a code block; inside a reconcile of the same workload, whose
/// scope is already open, it is not attached again.
/// </summary>
public sealed class WorkloadScopedLogger(ILogger inner, string workloadNamespace, string workloadName) : ILogger
{
    private readonly WorkloadLogScope _scope = new(workloadNamespace, workloadName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        if (_scope.IsOpen)
        {
            // Inside a reconcile of this workload, whose scope the entry already carries.
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        using var scope = inner.BeginScope(_scope);
        inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
