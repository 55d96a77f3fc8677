using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kairos.Cli.Bench;

/// <summary>
/// A node in a process of its own: this same <c>kairos</c> binary running <c>kairos serve</c> on a
/// free loopback port. Its output goes to a log file; its API address is read from the line serve
/// prints once it listens. <see cref="Kill"/> is a crash (SIGKILL), <see cref="TerminateAsync"/> a normal
/// shutdown (SIGTERM: the host stops the engine, which gives its leadership up).
/// </summary>
internal sealed partial class ChildNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildNode(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ChildNode Start(string db, string configFile, string logFile)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program this is"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildNode).Assembly.Location); // Run as "dotnet kairos.dll".
        }
        foreach (var arg in (string[])["serve", "--db", db, "--config", configFile, "--urls", "http://127.0.0.1:0"])
        {
            start.ArgumentList.Add(arg);
        }
        var log = new StreamWriter(logFile) { AutoFlush = true };
        var child = new ChildNode(new Process { StartInfo = start }, log);
        child._process.OutputDataReceived += (_, e) => child.OnOutput(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.OnOutput(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            _listening.TrySetException(new InvalidOperationException("kairos serve exited before it listened; see its log"));
            return;
        }
        lock (_log)
        {
            _log.WriteLine(line);
        }
        if (ServingLine().Match(line) is { Success: true } serving)
        {
            _listening.TrySetResult(new Uri(serving.Groups[1].Value));
        }
    }

    /// <summary>The API's address, once the node listens.</summary>
    public Task<Uri> ListeningAsync(TimeSpan limit) => _listening.Task.WaitAsync(limit);

    /// <summary>What <c>GET /healthz</c> says: the node's id and whether it leads; null when it does not answer.</summary>
    public async Task<(string Node, bool Leader)?> HealthAsync(HttpClient http)
    {
        if (!_listening.Task.IsCompletedSuccessfully || _process.HasExited)
        {
            return null;
        }
        try
        {
            var health = JsonNode.Parse(await http.GetStringAsync(new Uri(_listening.Task.Result, "/healthz")))!;
            return ((string)health["node"]!, (bool)health["leader"]!);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public void Kill() => _process.Kill();

    /// <summary>Sends SIGTERM (through kill(1): .NET has no API for it) and returns once it was sent.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with exit code {kill.ExitCode}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    [GeneratedRegex(@"serving the API on (http://[^ ,]+)")]
    private static partial Regex ServingLine();
}
