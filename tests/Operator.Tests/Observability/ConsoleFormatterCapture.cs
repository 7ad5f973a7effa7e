using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace RemoteWorkloadOperator.Tests.Observability;

/// <summary>
/// A logger provider that renders each entry with one of the console formatters the operator
/// configures in Program.cs (simple or json, scopes included) into a string, synchronously, so a
/// test sees exactly the line `--log-format` would print.
/// </summary>
internal sealed class ConsoleFormatterCapture : ILoggerProvider
{
    private readonly ServiceProvider _services;
    private readonly ConsoleFormatter _formatter;
    private readonly LoggerExternalScopeProvider _scopes = new();
    private readonly StringWriter _output = new();

    public ConsoleFormatterCapture(string formatterName)
    {
        _services = new ServiceCollection()
            .AddLogging(b => b.AddSimpleConsole(o => o.IncludeScopes = true).AddJsonConsole(o => o.IncludeScopes = true))
            .BuildServiceProvider();
        _formatter = _services.GetServices<ConsoleFormatter>().Single(f => f.Name == formatterName);
    }

    public string Output => _output.ToString();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => _services.Dispose();

    private sealed class Logger(ConsoleFormatterCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
            owner._formatter.Write(in entry, owner._scopes, owner._output);
        }
    }
}
