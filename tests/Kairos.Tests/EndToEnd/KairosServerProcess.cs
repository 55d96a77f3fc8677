using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Kairos.Tests.EndToEnd;

/// <summary>
/// A real <c>kairos serve</c> child process (<c>dotnet kairos.dll serve --config FILE --db PATH --urls URL</c>)
/// on a loopback port, with its stdout and stderr captured. <see cref="StartAsync"/> returns once
/// <c>GET /healthz</c> answers 200. The process is always killed on dispose.
/// </summary>
public sealed class KairosServerProcess : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90); // A loaded CI machine can take long to start a process; a healthy start takes a second or two.

    private readonly object _gate = new();
    private readonly StringBuilder _output = new();
    private Process? _process;
    private HttpClient? _http;

    private KairosServerProcess(string configFile, string databasePath, int port)
    {
        ConfigFile = configFile;
        DatabasePath = databasePath;
        Port = port;
    }

    public string ConfigFile { get; }
    public string DatabasePath { get; }
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>A client for the current process (a new one after each restart, so no pooled connection outlives a kill).</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("the server is not running");

    /// <summary>The current process id.</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("the server was never started");

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The exit code of the last process once it has exited (128 + N after signal N).</summary>
    public int ExitCode => _process is { HasExited: true } process ? process.ExitCode : throw new InvalidOperationException("the server has not exited");

    /// <summary>Everything the process (all starts of it) wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>kairos serve</c> on a free loopback port and waits until it is healthy.</summary>
    public static async Task<KairosServerProcess> StartAsync(string configFile, string databasePath)
    {
        var server = new KairosServerProcess(configFile, databasePath, FreePort());
        try
        {
            await server.LaunchAsync();
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>Starts the server again on the same config, database and port. The previous process must have exited.</summary>
    public async Task RestartAsync()
    {
        if (!HasExited)
        {
            throw new InvalidOperationException("the server is still running; stop or kill it before restarting");
        }
        await LaunchAsync();
    }

    /// <summary>SIGKILL: no shutdown code runs (Process.Kill sends SIGKILL on Linux, to the whole tree here).</summary>
    public void KillHard()
    {
        var process = _process ?? throw new InvalidOperationException("the server was never started");
        process.Kill(entireProcessTree: true);
        process.WaitForExit(); // Also drains the captured output.
        DropClient();
    }

    /// <summary>SIGTERM (a graceful stop, like Ctrl+C), then waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("the server was never started");
        if (!process.HasExited && kill(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kairos serve (pid {process.Id}) did not exit within {timeout ?? TimeSpan.FromSeconds(20)} of SIGTERM; output:\n{Output}");
        }
        DropClient();
        return process.ExitCode;
    }

    /// <summary>GET a JSON document, failing with the response (and the server's output) on a non-2xx status.</summary>
    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {text}");
        }
        return JsonNode.Parse(text)!;
    }

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // The server never reads it; it must not share the test host's.
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ConfigFile)!, // --db may be a PostgreSQL URL, not a path.
        };
        foreach (var arg in new[] { KairosDll, "serve", "--config", ConfigFile, "--db", DatabasePath, "--urls", Url })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("KAIROS_DB");
        start.Environment.Remove("KAIROS_URL");

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append("out", e.Data);
        process.ErrorDataReceived += (_, e) => Append("err", e.Data);
        Append("test", $"starting: dotnet {string.Join(' ', start.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;
        _http = new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilHealthyAsync(process);
    }

    private async Task WaitUntilHealthyAsync(Process process)
    {
        using var probe = new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                throw new InvalidOperationException($"kairos serve exited with code {process.ExitCode} before it was healthy; output:\n{Output}");
            }
            try
            {
                using var response = await probe.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"kairos serve did not answer GET /healthz with 200 within {StartTimeout.TotalSeconds} s; output:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    private void Append(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _output.Append('[').Append(stream).Append("] ").AppendLine(line);
        }
    }

    private void DropClient()
    {
        _http?.Dispose();
        _http = null;
    }

    /// <summary>A port nothing listens on right now (the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>kairos.dll: next to the test assembly (the test project references Kairos.Cli), else the CLI's own build output.</summary>
    public static string KairosDll
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "kairos.dll");
            if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "kairos.runtimeconfig.json")))
            {
                return beside;
            }
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug"; // bin/<Configuration>/net10.0/
            var built = Path.Combine(RepoRoot, "src", "Kairos.Cli", "bin", configuration, "net10.0", "kairos.dll");
            return File.Exists(built)
                ? built
                : throw new FileNotFoundException($"kairos.dll is neither in {AppContext.BaseDirectory} nor at {built}; build src/Kairos.Cli first");
        }
    }

    /// <summary>The repository root: the first folder above the test assembly that holds Kairos.sln.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Kairos.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException($"no Kairos.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The dotnet host that runs this test (DOTNET_HOST_PATH when the SDK set it), else dotnet on PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        return "dotnet";
    }

    public void Dispose()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
            _process = null;
        }
        DropClient();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // a plain int(int, int) call needs no marshalling source generator
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
