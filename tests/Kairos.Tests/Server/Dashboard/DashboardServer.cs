using Kairos.Access;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>The real server for a dashboard test over HTTP, with an admin key and a read-only key to sign in with.</summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private DashboardServer(InProcessServer server, string adminKey, string readKey)
    {
        Server = server;
        AdminKey = adminKey;
        ReadKey = readKey;
    }

    public InProcessServer Server { get; }
    public string AdminKey { get; }
    public string ReadKey { get; }

    public static async Task<DashboardServer> StartAsync(string yaml, Action<IKairosBuilder>? services = null)
    {
        var server = await InProcessServer.StartAsync(yaml, services);
        var admin = (await server.Client.CreateApiKeyAsync("ops", KairosScope.Admin)).Token;
        var read = (await server.Client.CreateApiKeyAsync("viewer", KairosScope.Read)).Token;
        return new DashboardServer(server, admin, read);
    }

    public Task<DashboardClient> AdminAsync() => DashboardClient.SignedInAsync(Server.Url, AdminKey);

    public Task<DashboardClient> ReaderAsync() => DashboardClient.SignedInAsync(Server.Url, ReadKey);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
