using System.CommandLine;
using Kairos.Server;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos serve</c>: the engine plus the REST API, until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Build() => CliCommand.Leaf("serve", "run the engine and the HTTP API until Ctrl+C or SIGTERM", RunAsync,
        CliCommand.Valued("--config", "FILE", "the YAML configuration: jobs, webhooks, subscriptions, engine and API settings"),
        CliCommand.Valued("--db", "PATH", "the database: a SQLite file (default kairos.db, or KAIROS_DB) or postgres://…"),
        CliCommand.Valued("--urls", "URL", $"where to listen (default {ServeOptions.DefaultUrl})"));

    private static async Task<int> RunAsync(CliArgs args, TextWriter output)
    {
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
            var loaded = Configuration.YamlConfigLoader.LoadFile(serve.ConfigFile, Executors.Handler.BuiltInHandlers.Names.Contains);
            RequireEnvironment(loaded, serve.ConfigFile);
        }
        await using var app = KairosServer.Build(serve);
        try
        {
            await app.StartAsync();
        }
        catch (OperationCanceledException)
        {
            output.WriteLine("Kairos stopped while starting (Ctrl+C or SIGTERM)");
            return 0;
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            throw new ServeRefusedException(
                $"cannot listen on {serve.Urls}: the address is already in use (is another kairos serve running?); stop that process or choose another address with --urls");
        }
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

    /// <summary>
    /// What the file reads from the environment must be there: a webhook whose secret variable is
    /// unset would refuse every delivery, and a declared secret that cannot be read fails every run using it.
    /// </summary>
    private static void RequireEnvironment(Configuration.KairosConfig config, string file)
    {
        foreach (var hook in config.Webhooks)
        {
            if (hook.Secret?.EnvironmentVariable is { } variable && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            {
                throw new ServeRefusedException(
                    $"{file}: webhook '{hook.Name}' reads its secret from the environment variable {variable}, which is not set; set it before starting, or use a named secret (kairos secrets set)");
            }
        }
        foreach (var (name, source) in config.Secrets)
        {
            var missing = source.StartsWith("env:", StringComparison.Ordinal) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(source[4..]))
                ? $"the environment variable {source[4..]}, which is not set"
                : source.StartsWith("file:", StringComparison.Ordinal) && !File.Exists(source[5..]) ? $"the file {source[5..]}, which does not exist" : null;
            if (missing is not null)
            {
                throw new ServeRefusedException($"{file}: secret '{name}' is read from {missing}; provide it before starting");
            }
        }
    }
}
