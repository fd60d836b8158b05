using Microsoft.Extensions.Logging;

namespace TinyRpc.Samples.DemoServer;

/// <summary>
/// Writes warnings and errors to standard error at once, one line each plus the exception. The console logger
/// writes from a queue of its own, and a CGI program or a killed server may exit before it has written.
/// </summary>
internal sealed class StandardErrorLogger(string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine(exception is null
                ? $"{logLevel}: {category}: {formatter(state, exception)}"
                : $"{logLevel}: {category}: {formatter(state, exception)}{Environment.NewLine}{exception}");
        }
    }
}
