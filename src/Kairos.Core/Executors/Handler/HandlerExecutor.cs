using System.Text.Json;
using Kairos.Engine;
using Kairos.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Executors.Handler;

/// <summary>Runs an <see cref="IJobHandler"/> resolved by name (a keyed service) in a DI scope of its own.</summary>
internal sealed class HandlerExecutor(IServiceProvider services, ILoggerFactory loggers) : IJobExecutor
{
    private static readonly JsonElement NoPayload = JsonDocument.Parse("null").RootElement;

    public string Kind => ExecutorKinds.Handler;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        var spec = (HandlerExecutorSpec)context.Job.Executor;
        await using var scope = services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetKeyedService<IJobHandler>(spec.Handler);
        if (handler is null)
        {
            return ExecutionResult.Failure($"no handler named '{spec.Handler}' is registered (AddHandler on AddKairos())", retryable: false);
        }
        JsonElement payload;
        using var document = context.Run.Payload is { } json ? JsonDocument.Parse(json) : null;
        payload = document?.RootElement ?? NoPayload;
        var output = await handler.ExecuteAsync(new JobContext
        {
            RunId = context.Run.Id,
            JobName = context.Run.JobName,
            Attempt = context.Run.Attempt,
            Source = context.Run.Source,
            Payload = payload,
            Logger = new RunLogger(context.Log, loggers.CreateLogger("Kairos.Job." + context.Run.JobName)),
            CancellationToken = cancellationToken,
        }).ConfigureAwait(false);
        return ExecutionResult.Success(output?.ToJsonString());
    }
}
