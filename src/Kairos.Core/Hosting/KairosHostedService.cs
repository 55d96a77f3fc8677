using Kairos.Engine;
using Microsoft.Extensions.Hosting;

namespace Kairos.Hosting;

/// <summary>Ties the engine to the host's lifetime.</summary>
internal sealed class KairosHostedService(KairosEngine engine) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await engine.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await engine.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => engine.StopAsync(cancellationToken);
}
