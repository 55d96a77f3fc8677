using System.Collections.Concurrent;
using Kairos.Engine.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kairos.Tests.Engine.Services;

/// <summary>An <see cref="EngineLoop"/> whose passes do what the test queued, in order; with nothing queued a pass sleeps until woken.</summary>
internal sealed class ScriptedLoop(TimeProvider time) : EngineLoop("Scripted loop", time, NullLogger.Instance)
{
    private readonly ConcurrentQueue<Func<CancellationToken, Task<DateTimeOffset?>>> _steps = new();
    private int _stopped;

    public bool Stopped => Volatile.Read(ref _stopped) == 1;

    public ScriptedLoop Fail() => Then(_ => throw new InvalidOperationException("scripted failure"));

    public ScriptedLoop SleepFor(TimeSpan sleep) => Then(_ => Task.FromResult<DateTimeOffset?>(Time.GetUtcNow() + sleep));

    /// <summary>A pass that only ends when the loop is stopped.</summary>
    public ScriptedLoop Hang() => Then(async stopping =>
    {
        await Task.Delay(Timeout.Infinite, stopping);
        return null;
    });

    public ScriptedLoop Then(Func<CancellationToken, Task<DateTimeOffset?>> step)
    {
        _steps.Enqueue(step);
        return this;
    }

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping) =>
        _steps.TryDequeue(out var step) ? await step(stopping) : null;

    protected override Task OnStoppedAsync()
    {
        Volatile.Write(ref _stopped, 1);
        return Task.CompletedTask;
    }
}
