using Kairos.Client;
using Kairos.Executors.Handler;
using Kairos.Hosting;
using Kairos.Model;
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

/// <summary>Builds the Kairos server: the engine plus the REST API and health endpoint, which reach it only through <see cref="IKairosClient"/>.</summary>
internal static class KairosServer
{
    public static WebApplication Build(ServeOptions serve, Action<IKairosBuilder>? configureKairos = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(serve.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
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
            // SQL poll triggers can read either kind of database, whichever one Kairos stores in.
            o.SqlPollProviders.TryAdd("postgres", connectionString => new Npgsql.NpgsqlConnection(connectionString));
            o.SqlPollProviders.TryAdd("sqlite", connectionString => new Microsoft.Data.Sqlite.SqliteConnection(connectionString));
        });
        if (Kairos.Storage.Postgres.PostgresConnectionStrings.IsPostgres(serve.DatabasePath))
        {
            var (connectionString, schema) = Kairos.Storage.Postgres.PostgresConnectionStrings.Parse(serve.DatabasePath);
            kairos.UsePostgres(connectionString, schema);
        }
        else
        {
            kairos.UseSqlite(serve.DatabasePath);
        }
        kairos.AddBuiltInHandlers();
        builder.Services.AddSingleton(sp => new Kairos.Webhooks.WebhookRateLimiter(sp.GetRequiredService<IKairosClient>().Clock));
        configureKairos?.Invoke(kairos);

        // A query or route value that does not bind (limit=abc) throws, so ProblemResponses answers it with a problem body.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        var app = builder.Build();
        app.UseMiddleware<ProblemResponses>();
        app.UseMiddleware<ApiBodyLimit>();
        MapEndpoints(app);
        return app;
    }

    public static void MapEndpoints(WebApplication app)
    {
        Webhooks.WebhookEndpoint.Map(app);
        var api = app.MapGroup("/api");
        JobsEndpoints.Map(api);
        RunsEndpoints.Map(api);
        EventsEndpoints.Map(api);
        SubscriptionsEndpoints.Map(api);
        WebhooksEndpoints.Map(api);
        NodesEndpoints.Map(api);
        api.MapGet("/stats", async (IKairosClient kairos, CancellationToken ct) =>
        {
            var stats = await kairos.GetStatsAsync(ct);
            var node = kairos.ThisNode;
            return Results.Ok(new StatsView(stats.RunsByState, stats.Jobs, stats.Triggers, stats.JournalEntries, node.ActiveRuns, node.Node));
        });
        app.MapGet("/healthz", async (IKairosClient kairos, CancellationToken ct) =>
        {
            var node = await kairos.CheckHealthAsync(ct);
            return Results.Ok(new { status = "ok", node = node.Node, activeRuns = node.ActiveRuns, leader = node.Leader });
        });
        // "{*path}", not the default "{*path:nonfile}": a path with a dot in its last segment gets the problem body too.
        app.MapFallback("{*path}", (HttpContext context) => ProblemResponses.Write(context, StatusCodes.Status404NotFound, "Not found",
            $"no endpoint {context.Request.Method} {context.Request.Path}; the API lives under /api (jobs, runs, events, subscriptions, webhooks, nodes, stats) and /healthz"));
    }
}
