using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kairos.Executors;
using Kairos.Model;
using ExecutionContext = Kairos.Executors.ExecutionContext;

namespace Kairos.Tests.Executors;

/// <summary>An <see cref="IRunLog"/> that keeps lines in memory and lets a test wait for one.</summary>
internal sealed class TestLog : IRunLog
{
    private readonly object _gate = new();
    private readonly List<(string Stream, string Text)> _lines = [];
    private readonly List<(Func<string, string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public void Write(string stream, string text)
    {
        lock (_gate)
        {
            _lines.Add((stream, text));
            foreach (var waiter in _waiters.Where(w => w.Match(stream, text)).ToList())
            {
                waiter.Found.TrySetResult(text);
                _waiters.Remove(waiter);
            }
        }
    }

    public IReadOnlyList<(string Stream, string Text)> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToList();
            }
        }
    }

    public IReadOnlyList<string> Stream(string stream) => Lines.Where(l => l.Stream == stream).Select(l => l.Text).ToList();

    /// <summary>Waits (at most 10 s) for a line on <paramref name="stream"/> that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForAsync(string stream, Func<string, bool> match)
    {
        TaskCompletionSource<string> found;
        lock (_gate)
        {
            var existing = _lines.FirstOrDefault(l => l.Stream == stream && match(l.Text));
            if (existing.Text is not null)
            {
                return existing.Text;
            }
            found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add(((s, t) => s == stream && match(t), found));
        }
        return await found.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

internal static class Contexts
{
    public static ExecutionContext For(ExecutorSpec spec, TestLog log, string? payload = null, long runId = 1, int attempt = 1, string job = "test-job") =>
        new()
        {
            Job = new JobDefinition { Name = job, Executor = spec },
            Log = log,
            Run = new RunRecord
            {
                Id = runId,
                JobName = job,
                Queue = "default",
                ExecutorKind = spec.Kind,
                Priority = 5,
                State = RunState.Running,
                Attempt = attempt,
                MaxAttempts = 3,
                Source = TriggerSources.Manual,
                Payload = payload,
                CreatedAt = DateTimeOffset.UtcNow,
                DueAt = DateTimeOffset.UtcNow,
            },
        };
}

internal static class Procs
{
    /// <summary>True while <paramref name="pid"/> exists and is not a zombie (a zombie is dead, just not reaped).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static async Task<bool> WaitUntilDeadAsync(int pid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    public static int ParsePid(string text) => int.Parse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}

internal sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>A real HTTP server on 127.0.0.1 and a free port, answering with a test's handler.</summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TestHttpServer(Func<HttpListenerContext, Task> handler)
    {
        _handler = handler;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    public CancellationToken Stopping => _stop.Token;

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Writes a response with the given status, body and headers.</summary>
    public static async Task RespondAsync(HttpListenerContext context, int status, string body = "", string? contentType = null, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }
        foreach (var (name, value) in headers)
        {
            context.Response.AddHeader(name, value);
        }
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                    var body = await reader.ReadToEndAsync();
                    var headers = context.Request.Headers.AllKeys
                        .Where(k => k is not null)
                        .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                    Requests.Enqueue(new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, body));
                    await _handler(context);
                }
                catch (Exception)
                {
                    // the client went away (timeout and cancellation tests)
                    try { context.Response.Abort(); } catch (Exception) { }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // Closing re-resolves the endpoint on Linux and can trip over another process that has
            // since bound the port ("address already in use"); the listener is closed either way.
        }
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // shutting down
        }
        _stop.Dispose();
    }
}
