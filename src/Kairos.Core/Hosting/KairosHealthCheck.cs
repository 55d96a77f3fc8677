using Kairos.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kairos.Hosting;

/// <summary>
/// The <c>"kairos"</c> health check, which says whether this node is ready for work: healthy when the
/// database answers a question and the engine has started, with this node's id, whether it leads and
/// its active runs in the data; unhealthy, with the database's error, when it does not answer, or
/// while the engine has not started (or has stopped). The server serves it at <c>/readyz</c>.
/// </summary>
internal sealed class KairosHealthCheck(IKairosClient kairos, Engine.KairosEngine engine) : IHealthCheck
{
    public const string Name = "kairos";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var node = await kairos.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            if (!engine.IsRunning)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "the engine is not running (starting or stopping)");
            }
            return HealthCheckResult.Healthy("the database answers", new Dictionary<string, object>
            {
                ["node"] = node.Node,
                ["leader"] = node.Leader,
                ["activeRuns"] = node.ActiveRuns,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"the database does not answer: {ex.Message}", ex);
        }
    }
}
