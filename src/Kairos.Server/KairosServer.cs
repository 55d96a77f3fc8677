using Kairos.Client;
using Kairos.Executors.Handler;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Server.Access;
using Kairos.Server.Api;
using Kairos.Storage.Postgres;
using Kairos.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Server;

/// <summary>What <c>kairos serve</c> is started with.</summary>
internal sealed record ServeOptions
{
    public string? ConfigFile { get; init; }
    public string DatabasePath { get; init; } = "kairos.db";

    /// <summary>Where the API listens; loopback by default so nothing is exposed by accident.</summary>
    public string Urls { get; init; } = DefaultUrl;

    public const string DefaultUrl = "http://127.0.0.1:8270";
}

/// <summary>Builds the Kairos server: the engine plus the REST API, the dashboard and the health endpoint, which reach it only through <see cref="IKairosClient"/>.</summary>
internal static class KairosServer
{
    public static WebApplication Build(ServeOptions serve, Action<IKairosBuilder>? configureKairos = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(serve.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // A start that fails is reported once, as one line, by whoever started the server (kairos serve), not as a logged stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // A body that does not bind (a text where a number belongs) throws, so ProblemResponses answers
        // a 400 problem saying where, instead of an empty 400.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            foreach (var converter in KairosJson.Options.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
            o.SerializerOptions.DefaultIgnoreCondition = KairosJson.Options.DefaultIgnoreCondition;
            o.SerializerOptions.Encoder = KairosJson.Options.Encoder;
        });
        var kairos = builder.Services.AddKairos(o =>
        {
            o.ConfigFile = serve.ConfigFile;
            o.ReleaseMemoryWhenIdle = true; // The process is Kairos's own: nothing else's heap pays for the collection.
            // SQL poll triggers can read either kind of database, whichever one Kairos stores in.
            o.SqlPollProviders.TryAdd("postgres", connectionString => new Npgsql.NpgsqlConnection(connectionString));
            o.SqlPollProviders.TryAdd("sqlite", connectionString => new Microsoft.Data.Sqlite.SqliteConnection(connectionString));
            o.SecretKeys.AddRange(SecretKeyFile.Keys(serve.DatabasePath, Kairos.Storage.Postgres.PostgresConnectionStrings.IsPostgres(serve.DatabasePath)));
        });
        UseDatabase(kairos, serve.DatabasePath);
        kairos.AddBuiltInHandlers();
        builder.Services.AddSingleton(sp => new Kairos.Webhooks.WebhookRateLimiter(sp.GetRequiredService<IKairosClient>().Clock));
        configureKairos?.Invoke(kairos);
        var file = serve.ConfigFile is null ? null : Configuration.YamlConfigLoader.LoadFile(serve.ConfigFile);
        var api = file?.Api ?? new Configuration.ApiSettings();
        AddAccess(builder.Services, serve, api);
        Observability.MetricsEndpoint.Add(builder.Services);
        Observability.ReadinessEndpoint.Add(builder.Services);
        Observability.OtlpExport.Add(builder, file?.Telemetry ?? new Configuration.TelemetrySettings());
        ApiDocument.Add(builder.Services);
        Dashboard.WebDashboard.AddServices(builder.Services);

        // A query or route value that does not bind (limit=abc) throws, so ProblemResponses answers it with a problem body.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        var app = builder.Build();
        ForwardedHeaders.Use(app, api); // First: everything after sees the client's address.
        app.UseMiddleware<ProblemResponses>();
        app.UseMiddleware<ApiBodyLimit>();
        app.UseMiddleware<HostCheck>();
        app.UseMiddleware<CrossOriginGuard>();
        app.UseRouting();
        app.UseMiddleware<ApiKeyAuthentication>();
        Dashboard.WebDashboard.UseAccess(app);
        MapEndpoints(app);
        return app;
    }

    /// <summary>The store <c>--db</c> names: a <c>postgres://</c> URL (or key=value connection string) or a SQLite file path.</summary>
    public static IKairosBuilder UseDatabase(IKairosBuilder kairos, string database)
    {
        if (Kairos.Storage.Postgres.PostgresConnectionStrings.IsPostgres(database))
        {
            var (connectionString, schema) = Kairos.Storage.Postgres.PostgresConnectionStrings.Parse(database);
            return kairos.UsePostgres(connectionString, schema);
        }
        return kairos.UseSqlite(database);
    }

    /// <summary>
    /// API keys, the Host check and the start-up exposure check (see the Access folder), set by the
    /// configuration file's <c>api:</c> section.
    /// </summary>
    private static void AddAccess(IServiceCollection services, ServeOptions serve, Configuration.ApiSettings api)
    {
        var addresses = ListenAddress.ParseAll(serve.Urls);
        services.AddSingleton(api);
        services.AddSingleton<IReadOnlyList<ListenAddress>>(addresses);
        services.AddSingleton(HostPolicy.For(addresses, api.AllowedHosts));
        RequestCaller.Register(services);
        // After AddKairos: hosted services start in order, and this one needs the migrated database.
        services.AddHostedService<ExposureCheck>();
    }

    public static void MapEndpoints(WebApplication app)
    {
        Webhooks.WebhookEndpoint.Map(app);
        Dashboard.WebDashboard.Map(app);
        // Every /api endpoint may answer these problems (bad input, no key, a key below its scope, not found).
        var api = app.MapGroup("/api")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        JobsEndpoints.Map(api);
        SchedulesEndpoints.Map(api);
        RunsEndpoints.Map(api);
        EventsEndpoints.Map(api);
        SubscriptionsEndpoints.Map(api);
        WebhooksEndpoints.Map(api);
        NodesEndpoints.Map(api);
        KeysEndpoints.Map(api);
        SecretsEndpoints.Map(api);
        WorkflowsEndpoints.Map(api);
        ApplyEndpoint.Map(api);
        api.MapGet("/stats", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var stats = await kairos.GetStatsAsync(ct);
            var node = kairos.ThisNode;
            return Results.Ok(new StatsView(stats.RunsByState, stats.Jobs, stats.Triggers, stats.JournalEntries, kairos.Namespace is null ? node.ActiveRuns : null, node.Node));
        }).Requires(Kairos.Access.KairosScope.Read).Produces<StatsView>();
        app.MapGet("/healthz", async (IKairosClient kairos, CancellationToken ct) =>
        {
            var node = await kairos.CheckHealthAsync(ct);
            return Results.Ok(new { status = "ok", node = node.Node, activeRuns = node.ActiveRuns, leader = node.Leader });
        });
        Observability.ReadinessEndpoint.Map(app);
        Observability.MetricsEndpoint.Map(app);
        ApiDocument.Map(app);
        // "{*path}", not the default "{*path:nonfile}": a path with a dot in its last segment gets the problem body too.
        app.MapFallback("{*path}", (HttpContext context) => ProblemResponses.Write(context, StatusCodes.Status404NotFound, "Not found",
            $"no endpoint {context.Request.Method} {context.Request.Path}; the API lives under /api (jobs, runs, events, subscriptions, webhooks, keys, secrets, nodes, stats), described at /openapi/v1.json; health at /healthz and /readyz, metrics at /metrics"))
            .Requires(Kairos.Access.KairosScope.Read); // Any key learns that a path does not exist, not only an admin's.
    }
}
