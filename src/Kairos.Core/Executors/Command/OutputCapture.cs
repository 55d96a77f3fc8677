using System.Runtime.ExceptionServices;
using System.Text;

namespace Kairos.Executors.Command;

/// <summary>
/// Reads a child's stdout and stderr concurrently, line by line, into the run log under one shared byte
/// budget. Past the budget one marker line is logged and the rest is read and dropped, so the child never
/// blocks on a full pipe. The last <see cref="TailBytes"/> of stdout are kept whatever the budget.
/// </summary>
internal sealed class OutputCapture
{
    public const int TailBytes = 4096;

    /// <summary>A line longer than this (in chars) is logged in pieces, so no line grows without bound.</summary>
    internal const int MaxLineChars = 16 * 1024;

    private const int TailKeepChars = TailBytes; // a char is at least one UTF-8 byte
    private const int TailTrimChars = 4 * TailBytes;

    private readonly IRunLog _log;
    private readonly long _maxBytes;
    private readonly object _gate = new();
    private readonly StringBuilder _tail = new();
    private long _loggedBytes;
    private bool _truncated;
    private ExceptionDispatchInfo? _logFailure;

    public OutputCapture(IRunLog log, long maxBytes)
    {
        _log = log;
        _maxBytes = Math.Max(0, maxBytes);
    }

    public bool Truncated
    {
        get
        {
            lock (_gate)
            {
                return _truncated;
            }
        }
    }

    /// <summary>Pumps <paramref name="reader"/> until end of stream or <paramref name="stop"/>. Never throws.</summary>
    public async Task PumpAsync(TextReader reader, string stream, bool keepTail, CancellationToken stop)
    {
        var buffer = new char[8192];
        var line = new StringBuilder();
        while (true)
        {
            int read;
            try
            {
                read = await reader.ReadAsync(buffer.AsMemory(), stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                break;
            }
            if (read == 0)
            {
                break;
            }

            if (keepTail)
            {
                AppendTail(buffer.AsSpan(0, read));
            }
            if (Truncated)
            {
                line.Clear();
                continue; // drain only
            }

            var chunk = buffer.AsSpan(0, read);
            while (!chunk.IsEmpty)
            {
                var newline = chunk.IndexOf('\n');
                var piece = newline < 0 ? chunk : chunk[..newline];
                var room = MaxLineChars - line.Length;
                if (piece.Length > room)
                {
                    line.Append(piece[..room]);
                    Emit(stream, line);
                    chunk = chunk[room..];
                    continue;
                }
                line.Append(piece);
                if (newline < 0)
                {
                    break;
                }
                Emit(stream, line);
                chunk = chunk[(newline + 1)..];
            }
        }
        if (line.Length > 0)
        {
            Emit(stream, line);
        }
    }

    /// <summary>Rethrows the first exception the run log threw, if any.</summary>
    public void ThrowIfLogFailed() => _logFailure?.Throw();

    /// <summary>The last up to <see cref="TailBytes"/> bytes of stdout (never splitting a character).</summary>
    public string StdoutTail()
    {
        string text;
        lock (_gate)
        {
            text = _tail.ToString(Math.Max(0, _tail.Length - TailKeepChars), Math.Min(_tail.Length, TailKeepChars));
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= TailBytes)
        {
            return text;
        }
        var start = bytes.Length - TailBytes;
        while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80)
        {
            start++; // skip continuation bytes of a character cut in half
        }
        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    private void AppendTail(ReadOnlySpan<char> text)
    {
        lock (_gate)
        {
            if (text.Length >= TailKeepChars)
            {
                _tail.Clear();
                _tail.Append(text[^TailKeepChars..]);
                return;
            }
            _tail.Append(text);
            if (_tail.Length > TailTrimChars)
            {
                _tail.Remove(0, _tail.Length - TailKeepChars);
            }
        }
    }

    private void Emit(string stream, StringBuilder line)
    {
        var length = line.Length;
        if (length > 0 && line[length - 1] == '\r')
        {
            length--;
        }
        var text = line.ToString(0, length);
        line.Clear();

        lock (_gate)
        {
            if (_truncated)
            {
                return;
            }
            var bytes = Encoding.UTF8.GetByteCount(text) + 1; // + the newline
            if (_loggedBytes + bytes > _maxBytes)
            {
                _truncated = true;
                Write(stream, $"[output truncated after {_maxBytes} bytes]");
                return;
            }
            _loggedBytes += bytes;
            Write(stream, text);
        }
    }

    private void Write(string stream, string text)
    {
        // Called under _gate, so the log sees one writer at a time.
        if (_logFailure is not null)
        {
            return;
        }
        try
        {
            _log.Write(stream, text);
        }
        catch (Exception ex)
        {
            // Keep draining the pipes so the child can finish; the failure is rethrown once it has.
            _logFailure = ExceptionDispatchInfo.Capture(ex);
            _truncated = true;
        }
    }
}
