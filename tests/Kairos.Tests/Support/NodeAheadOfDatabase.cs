using Kairos.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Support;

/// <summary>
/// An in-process server on a PostgreSQL schema of its own, on a node whose clock runs an hour ahead
/// of the database's: what is stamped with the node's clock instead of the cluster's shows as an hour off.
/// The schema is dropped afterwards. For <see cref="PostgresFactAttribute"/> tests.
/// </summary>
internal static class NodeAheadOfDatabase
{
    public static async Task RunAsync(string yaml, Func<InProcessServer, Task> test)
    {
        var schema = "node_ahead_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var server = await InProcessServer.StartAsync(yaml,
                kairos => kairos.Services.AddSingleton<TimeProvider>(new OffsetTimeProvider(TimeSpan.FromHours(1))),
                database: $"{PostgresFactAttribute.ConnectionString};Search Path={schema}");
            await test(server);
        }
        finally
        {
            await PostgresSchema.DropAsync(schema);
        }
    }

    /// <summary>The database's own time, read from the store: the reference a test checks the client against.</summary>
    public static async Task<DateTimeOffset> DatabaseNowAsync(InProcessServer server) =>
        (await server.Engine.Store.GetDatabaseTimeAsync(CancellationToken.None))!.Value;
}
