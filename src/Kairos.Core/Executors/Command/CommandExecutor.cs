using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kairos.Executors.Command;
using Kairos.Model;

namespace Kairos.Executors;

/// <summary>
/// Runs a <see cref="CommandExecutorSpec"/>: a child process started directly (never through a shell),
/// with each argv entry templated from the payload and passed as exactly one argument. Output goes to the
/// run log line by line; cancellation sends SIGTERM, then kills the whole process tree after the grace period.
/// </summary>
internal sealed class CommandExecutor : IJobExecutor
{
    /// <summary>After the child exits, how long to wait for its output pipes to close. A background
    /// grandchild that inherited them may hold them open forever; reading stops then.</summary>
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>After a kill, how long to wait for the exit to be reported before giving up.</summary>
    private static readonly TimeSpan ExitAfterKillTimeout = TimeSpan.FromSeconds(5);

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public string Kind => ExecutorKinds.Command;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Job.Executor is not CommandExecutorSpec spec)
        {
            return ExecutionResult.Failure(
                $"job '{context.Job.Name}' has a '{context.Job.Executor.Kind}' executor, not a command executor",
                retryable: false);
        }
        if (spec.Argv is null || spec.Argv.Count == 0 || string.IsNullOrWhiteSpace(spec.Argv[0]))
        {
            return ExecutionResult.Failure("command executor has no executable (argv is empty)", retryable: false);
        }

        var payload = context.Run.Payload;
        var argv = new List<string>(spec.Argv.Count);
        for (var i = 0; i < spec.Argv.Count; i++)
        {
            try
            {
                argv.Add(PayloadTemplate.Render(spec.Argv[i] ?? "", payload));
            }
            catch (TemplateException ex)
            {
                return ExecutionResult.Failure($"argument {i} of the command: {ex.Message}", retryable: false);
            }
            if (i > 0 && IsInjectedOption(spec, i, argv[i]))
            {
                return ExecutionResult.Failure(
                    $"argument {i} of the command starts with '-' from its template ('{spec.Argv[i]}'), so the program would take it as an option; " +
                    "put \"--\" before payload arguments, or list the index in allowOptions if an option is meant",
                    retryable: false);
            }
        }
        if (argv[0].Length == 0)
        {
            return ExecutionResult.Failure("command executor has no executable (argv[0] rendered empty)", retryable: false);
        }

        var environment = new List<KeyValuePair<string, string>>(spec.Env.Count);
        foreach (var (name, template) in spec.Env)
        {
            if (string.IsNullOrEmpty(name) || name.Contains('=') || name.Contains('\0'))
            {
                return ExecutionResult.Failure($"'{name}' is not a valid environment variable name", retryable: false);
            }
            try
            {
                environment.Add(new(name, PayloadTemplate.Render(template ?? "", payload, context.Secrets)));
            }
            catch (TemplateException ex)
            {
                return ExecutionResult.Failure($"environment variable '{name}' of the command: {ex.Message}", retryable: false);
            }
        }

        string? workingDirectory = null;
        if (!string.IsNullOrEmpty(spec.WorkingDirectory))
        {
            workingDirectory = Path.GetFullPath(spec.WorkingDirectory);
            if (!Directory.Exists(workingDirectory))
            {
                return ExecutionResult.Failure(
                    $"cannot start '{argv[0]}': working directory '{spec.WorkingDirectory}' does not exist",
                    retryable: false);
            }
        }

        if (argv[0].Contains('/') && Directory.Exists(argv[0]))
        {
            return ExecutionResult.Failure($"cannot start '{argv[0]}': it is a directory, not an executable", retryable: false);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ExecutionResult.Failure("command was cancelled before it started");
        }

        var startInfo = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Utf8NoBom,
            StandardErrorEncoding = Utf8NoBom,
        };
        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }
        for (var i = 1; i < argv.Count; i++)
        {
            startInfo.ArgumentList.Add(argv[i]);
        }
        // The server's environment holds its own secrets (database passwords, webhook secrets): a job
        // gets only what it needs to find programs and behave like a login, plus what it declares.
        startInfo.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } inherited)
            {
                startInfo.Environment[name] = inherited;
            }
        }
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        // Set last, so a job's own env cannot pretend to be another run.
        startInfo.Environment["KAIROS_RUN_ID"] = context.Run.Id.ToString(CultureInfo.InvariantCulture);
        startInfo.Environment["KAIROS_JOB"] = context.Run.JobName;
        startInfo.Environment["KAIROS_ATTEMPT"] = context.Run.Attempt.ToString(CultureInfo.InvariantCulture);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return ExecutionResult.Failure(DescribeStartFailure(argv[0], workingDirectory, ex), retryable: false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return ExecutionResult.Failure($"cannot start '{argv[0]}': {ex.Message}", retryable: false);
        }

        try
        {
            process.StandardInput.Close(); // the child reads end-of-file, never the scheduler's stdin
        }
        catch (IOException)
        {
            // the child may already be gone
        }

        var capture = new OutputCapture(context.Log, spec.MaxOutputBytes);
        using var stopReading = new CancellationTokenSource();
        var pumps = Task.WhenAll(
            capture.PumpAsync(process.StandardOutput, "stdout", keepTail: true, stopReading.Token),
            capture.PumpAsync(process.StandardError, "stderr", keepTail: false, stopReading.Token));
        var exited = process.WaitForExitAsync(CancellationToken.None);

        string? cancelled = null;
        if (!exited.IsCompleted)
        {
            var cancelRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelRequested.TrySetResult()))
            {
                await Task.WhenAny(exited, cancelRequested.Task).ConfigureAwait(false);
            }
            if (!exited.IsCompleted)
            {
                cancelled = await StopAsync(process, exited, spec.KillGracePeriod).ConfigureAwait(false);
            }
        }

        if (await Task.WhenAny(pumps, Task.Delay(OutputDrainTimeout, CancellationToken.None)).ConfigureAwait(false) != pumps)
        {
            stopReading.Cancel();
            await pumps.ConfigureAwait(false);
        }
        capture.ThrowIfLogFailed();

        int? exitCode = exited.IsCompleted ? process.ExitCode : null;
        var output = OutputJson(exitCode, capture.StdoutTail());
        if (cancelled is not null)
        {
            return ExecutionResult.Failure(cancelled, retryable: true, output);
        }
        return exitCode == 0
            ? ExecutionResult.Success(output)
            : ExecutionResult.Failure($"command exited with code {exitCode}", retryable: true, output);
    }

    /// <summary>SIGTERM, wait up to the grace period, then kill the whole tree. Returns the failure message.</summary>
    private static async Task<string> StopAsync(Process process, Task exited, TimeSpan gracePeriod)
    {
        // Remember the descendants now: once the child exits, its orphans are no longer below it.
        var tree = ProcessTree.Snapshot(process.Id);

        var graceful = false;
        if (Signals.Supported && !process.HasExited && Signals.Send(process.Id, Signals.SigTerm))
        {
            var grace = gracePeriod < TimeSpan.Zero ? TimeSpan.Zero : gracePeriod;
            graceful = await Task.WhenAny(exited, Task.Delay(grace, CancellationToken.None)).ConfigureAwait(false) == exited;
        }
        else
        {
            graceful = process.HasExited;
        }

        if (!graceful)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or AggregateException)
            {
                // it exited meanwhile, or part of the tree could not be signalled; the sweep below follows up
            }
        }
        tree.KillSurvivors();

        await Task.WhenAny(exited, Task.Delay(ExitAfterKillTimeout, CancellationToken.None)).ConfigureAwait(false);
        return graceful
            ? "command was cancelled (SIGTERM)"
            : $"command was cancelled (killed after grace period of {FormatDuration(gracePeriod)})";
    }

    private static string DescribeStartFailure(string executable, string? workingDirectory, Win32Exception ex)
    {
        var hasPath = executable.Contains('/') || executable.Contains(Path.DirectorySeparatorChar);
        var reason = ex.NativeErrorCode switch
        {
            2 when hasPath => "no such file",                                 // ENOENT
            2 => "not found on PATH",
            13 => "permission denied (is it executable, and its directory searchable?)", // EACCES
            8 => "not a valid executable (exec format error; a script needs a #! line)", // ENOEXEC
            20 => "a path component is not a directory",                     // ENOTDIR
            _ => ex.Message,
        };
        var where = workingDirectory is null ? "" : $" in working directory '{workingDirectory}'";
        return $"cannot start '{executable}'{where}: {reason}";
    }

    private static string OutputJson(int? exitCode, string stdoutTail)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (exitCode is { } code)
            {
                writer.WriteNumber("exitCode", code);
            }
            else
            {
                writer.WriteNull("exitCode");
            }
            writer.WriteString("stdoutTail", stdoutTail);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static string FormatDuration(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1)
            ? $"{(long)duration.TotalMilliseconds} ms"
            : $"{duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    /// <summary>The server's variables a command inherits; everything else it must declare in <c>env</c>.</summary>
    internal static readonly string[] InheritedVariables = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SystemRoot"];

    /// <summary>
    /// An argument whose template fills its start and put a '-' there, unless the job allows it:
    /// the payload chose an option, not a value. "--x={{v}}" and "{{v}}" after a "--" are the job's choice.
    /// </summary>
    private static bool IsInjectedOption(CommandExecutorSpec spec, int index, string rendered) =>
        rendered.StartsWith('-')
        && spec.Argv[index].TrimStart().StartsWith("{{", StringComparison.Ordinal)
        && !spec.AllowOptions.Contains(index)
        && !spec.Argv.Take(index).Contains("--");
}
