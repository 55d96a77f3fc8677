using Kairos.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kairos.Server.Access;

/// <summary>
/// At start, after the engine has opened the database: refuses to listen beyond loopback while no
/// API key exists (anyone who reached the port could create command jobs), and says how the API is
/// guarded.
/// </summary>
internal sealed class ExposureCheck(IKairosClient kairos, IReadOnlyList<ListenAddress> addresses, HostPolicy hosts, ILogger<ExposureCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = await kairos.ListApiKeysAsync(cancellationToken).ConfigureAwait(false);
        var exposed = addresses.Where(a => !a.IsLoopback).ToList();
        if (keys.Count == 0 && exposed.Count > 0)
        {
            throw new ServeRefusedException(
                $"refusing to listen on {string.Join(", ", exposed.Select(a => a.Url))} with no API key: anyone who reaches it could run jobs. " +
                "Create an admin key first (kairos keys create admin --scope admin --db DATABASE), or listen on loopback only (--urls http://127.0.0.1:8270)");
        }
        if (keys.Count == 0)
        {
            logger.LogWarning("No API key exists: the API answers only this machine, and every local request acts as admin. Create keys with `kairos keys create`");
        }
        if (hosts.Allowed is null)
        {
            logger.LogWarning("Listening on every interface with no api.allowedHosts: any Host header is accepted. Set api.allowedHosts to the names clients use");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The server will not start as asked; the message says why and what to do.</summary>
internal sealed class ServeRefusedException(string message) : KairosException(message);
