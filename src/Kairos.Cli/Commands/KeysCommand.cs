using System.CommandLine;
using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Client;
using Kairos.Engine;
using Kairos.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos keys create | list | revoke</c>: API keys, over the API (an admin key, or a local
/// server that has none yet), or straight in the database with <c>--db</c>, which is how the first
/// key of a server that must listen beyond loopback is made. Here <c>--namespace a,b</c> binds the
/// new key to those namespaces; keys themselves belong to no namespace.
/// </summary>
internal static class KeysCommand
{
    public static Command Build() => Group("keys", "create, list and revoke API keys, over the API or (--db) in the database itself",
        Leaf("create", "create a key and print its token, shown this once", CreateAsync,
        [
            Argument("NAME", "the key's name"),
            Valued("--scope", "SCOPE", $"what it may do: {KairosScopes.Names} (required)"),
            Valued("--expires", "WHEN", "when it stops working: a duration (90d) or an instant (2027-01-31T00:00:00Z)"),
            Db(),
            .. ClientOptions("bind the key to these namespaces (NS[,NS…]); without it the key reaches all"),
        ]),
        Leaf("list", "the keys, never their tokens", ListAsync, [Db(), .. ClientOptions()]),
        Leaf("revoke", "revoke a key at once", RevokeAsync, [Argument("NAME", "the key's name"), Db(), .. ClientOptions()]));

    private static Option<string> Db() => Valued("--db", "DATABASE", "work on this database directly (a SQLite path or postgres://…), e.g. for a server's first key");

    private static async Task<int> CreateAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positional(0, "the key's name");
        var scope = args.Get("--scope") ?? throw new UsageException($"--scope is required: {KairosScopes.Names}");
        var namespaces = args.Get("--namespace")?.Split(',', StringSplitOptions.TrimEntries);
        JsonNode? created;
        if (args.Get("--db") is { } db)
        {
            if (!KairosScopes.TryParse(scope, out var parsed))
            {
                throw new UsageException($"--scope must be {KairosScopes.Names}");
            }
            await using var local = await LocalDatabase.OpenAsync(db);
            DateTimeOffset? expires = args.Get("--expires") is { } text ? Expiry(text, local.Client.Clock.GetUtcNow()) : null;
            var key = await local.Client.CreateApiKeyAsync(name, parsed, expires, namespaces);
            created = new JsonObject { ["key"] = KeyJson(key.Key), ["token"] = key.Token };
        }
        else
        {
            using var api = ApiClient.For(args, inNamespace: false);
            var body = new JsonObject
            {
                ["name"] = name, ["scope"] = scope, ["expires"] = args.Get("--expires"),
                ["namespaces"] = namespaces is null ? null : new JsonArray(namespaces.Select(n => (JsonNode?)n).ToArray()),
            };
            created = await api.PostAsync("api/keys", body.ToJsonString());
        }
        if (args.Has("--json"))
        {
            PrintJson(output, created);
            return 0;
        }
        output.WriteLine($"Created key '{name}' with scope {scope}{(namespaces is null ? "" : $" in {string.Join(", ", namespaces)}")}{(Text(created!["key"]!["expiresAt"]) is { } at ? $", expiring {at}" : "")}.");
        output.WriteLine("Its token is shown this once; keep it secret (e.g. export KAIROS_API_KEY=…):");
        output.WriteLine(Text(created["token"]));
        return 0;
    }

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        JsonNode? keys;
        if (args.Get("--db") is { } db)
        {
            await using var local = await LocalDatabase.OpenAsync(db);
            keys = new JsonArray((await local.Client.ListApiKeysAsync()).Select(k => (JsonNode?)KeyJson(k)).ToArray());
        }
        else
        {
            using var api = ApiClient.For(args, inNamespace: false);
            keys = await api.GetAsync("api/keys");
        }
        if (args.Has("--json"))
        {
            PrintJson(output, keys);
            return 0;
        }
        TableWriter.Write(output, ["NAME", "ID", "SCOPE", "NAMESPACES", "CREATED", "EXPIRES", "LAST USED"],
            keys!.AsArray().Select(k => (IReadOnlyList<string?>)
                [Text(k!["name"]), Text(k["id"]), Text(k["scope"]), k["namespaces"] is JsonArray ns ? string.Join(",", ns.Select(Text)) : "(all)",
                 Time(k["createdAt"]), Time(k["expiresAt"]), Time(k["lastUsedAt"])]));
        return 0;
    }

    private static async Task<int> RevokeAsync(CliArgs args, TextWriter output)
    {
        var name = args.Positional(0, "the key's name");
        if (args.Get("--db") is { } db)
        {
            await using var local = await LocalDatabase.OpenAsync(db);
            if (!await local.Client.RevokeApiKeyAsync(name))
            {
                throw new UsageException($"key '{name}' does not exist");
            }
        }
        else
        {
            using var api = ApiClient.For(args, inNamespace: false);
            await api.DeleteAsync($"api/keys/{Uri.EscapeDataString(name)}");
        }
        output.WriteLine($"Revoked key '{name}'.");
        return 0;
    }

    private static DateTimeOffset Expiry(string text, DateTimeOffset now) =>
        Configuration.Durations.TryParseInstantOrDuration(text, now, out var at)
            ? at
            : throw new UsageException($"--expires '{text}' is neither a duration (90d) nor an instant (2027-01-31T00:00:00Z)");

    private static JsonObject KeyJson(ApiKey key) => new()
    {
        ["name"] = key.Name, ["id"] = key.Id, ["scope"] = key.Scope.ToWire(),
        ["createdAt"] = key.CreatedAt, ["expiresAt"] = key.ExpiresAt, ["lastUsedAt"] = key.LastUsedAt,
        ["namespaces"] = key.Namespaces is null ? null : new JsonArray(key.Namespaces.Select(n => (JsonNode?)n).ToArray()),
    };

    /// <summary>The database opened without starting the engine (no trigger fires, no run starts), migrated to this version.</summary>
    private sealed class LocalDatabase(ServiceProvider services) : IAsyncDisposable
    {
        public IKairosClient Client { get; } = services.GetRequiredService<IKairosClient>();

        public static async Task<LocalDatabase> OpenAsync(string database)
        {
            var services = new ServiceCollection();
            services.AddLogging();
            Server.KairosServer.UseDatabase(services.AddKairos(), database);
            var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<KairosEngine>().Store.MigrateAsync(CancellationToken.None);
            return new LocalDatabase(provider);
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }
}
