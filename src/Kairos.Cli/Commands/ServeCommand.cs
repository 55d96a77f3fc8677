using Kairos.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos serve</c>: the engine plus the REST API, until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] rest, TextWriter output)
    {
        var args = CliArgs.Parse(rest, [], ["--config", "--db", "--urls"]);
        args.NoMorePositionals(0);
        var serve = new ServeOptions
        {
            ConfigFile = args.Get("--config"),
            DatabasePath = args.Get("--db") ?? Environment.GetEnvironmentVariable("KAIROS_DB") ?? "kairos.db",
            Urls = args.Get("--urls") ?? ServeOptions.DefaultUrl,
        };
        if (serve.ConfigFile is { } config && !File.Exists(config))
        {
            throw new UsageException($"config file '{config}' does not exist");
        }
        if (serve.ConfigFile is not null)
        {
            // Report file errors, unknown handlers included, before anything starts or the database is created.
            Configuration.YamlConfigLoader.LoadFile(serve.ConfigFile, Executors.Handler.BuiltInHandlers.Names.Contains);
        }
        await using var app = KairosServer.Build(serve);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var database = Storage.Postgres.PostgresConnectionStrings.IsPostgres(serve.DatabasePath)
            ? "PostgreSQL " + Storage.Postgres.PostgresConnectionStrings.Redacted(serve.DatabasePath)
            : Path.GetFullPath(serve.DatabasePath);
        output.WriteLine($"Kairos is serving the API on {string.Join(", ", addresses)} (database {database}" +
            (serve.ConfigFile is null ? ")" : $", config {serve.ConfigFile})"));
        output.WriteLine("Try: kairos jobs list    Stop: Ctrl+C");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
