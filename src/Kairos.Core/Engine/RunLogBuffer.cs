using Kairos.Executors;
using Kairos.Model;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// Collects a run's log lines in memory; they are stored with the attempt's outcome (one write), or
/// earlier by the heartbeat for long runs. Bounded, so a chatty job cannot exhaust memory.
/// </summary>
internal sealed class RunLogBuffer(TimeProvider time, int maxLines = 10_000) : IRunLog
{
    private readonly List<RunLogLine> _lines = [];
    private int _dropped;

    /// <summary>Secret values to mask in every line written from now on.</summary>
    public Secrets.SecretMask Mask { get; set; } = Secrets.SecretMask.None;

    public void Write(string stream, string text)
    {
        text = Mask.Apply(text)!;
        lock (_lines)
        {
            if (_lines.Count >= maxLines)
            {
                _dropped++;
                return;
            }
            _lines.Add(new RunLogLine(time.GetUtcNow(), stream, text));
        }
    }

    /// <summary>Takes the lines written so far (and a note of any dropped).</summary>
    public IReadOnlyList<RunLogLine> Drain()
    {
        lock (_lines)
        {
            if (_dropped > 0)
            {
                _lines.Add(new RunLogLine(time.GetUtcNow(), "kairos", $"[{_dropped} log lines dropped: more than {maxLines} buffered]"));
                _dropped = 0;
            }
            var taken = _lines.ToList();
            _lines.Clear();
            return taken;
        }
    }
}

/// <summary>The <see cref="ILogger"/> a handler gets: writes to the run's log and to the host's logger.</summary>
internal sealed class RunLogger(IRunLog log, ILogger host) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => host.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        if (exception is not null)
        {
            text += Environment.NewLine + exception;
        }
        log.Write(logLevel.ToString().ToLowerInvariant(), text);
        host.Log(logLevel, eventId, state, exception, formatter);
    }
}
