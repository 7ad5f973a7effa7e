using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RemoteWorkloadOperator.Tests.Chaos;

/// <summary>Keeps every log line (message, exception and scopes) the operator writes, to search it for secrets.</summary>
internal sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider? _scopes;

    public IEnumerable<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>Structured scopes (key/value lists) as "key=value", the way the JSON console logger shows them.</summary>
    private static string Render(object? scope) => scope is IEnumerable<KeyValuePair<string, object?>> pairs
        ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}"))
        : scope?.ToString() ?? "";

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            owner._scopes?.ForEachScope((scope, list) => list.Add(Render(scope)), scopes);
            owner._lines.Enqueue($"{logLevel} {category} [{string.Join(" => ", scopes)}] {formatter(state, exception)} {exception}");
        }
    }
}
