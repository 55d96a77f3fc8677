using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench webhook-latency</c>: the real server (Kestrel, engine, SQLite) in this process,
/// GitHub-signed deliveries sent over loopback HTTP at a fixed rate; latency is from just before a
/// request is sent to the start of the handler its run calls, so it includes HTTP, signature check,
/// the delivery's transaction, the dispatcher's claim and the handler's start.
/// </summary>
internal static class WebhookLatencyBench
{
    public static readonly string[] Options = ["--rate", "--seconds", "--db"];
    private const string Secret = "bench-webhook-secret";

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var rate = BenchArgs.Int(args, "--rate", 500, max: 100_000);
        var seconds = BenchArgs.Int(args, "--seconds", 10, max: 3_600);
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        var config = Path.Combine(database.Directory, "webhook-bench.yaml");
        await File.WriteAllTextAsync(config, $$"""
            webhooks:
              bench:
                verify: github
                secret: {{Secret}}
            jobs:
              on-delivery:
                handler: record-start
                triggers:
                  - webhook: bench
            """);
        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        await using var app = KairosServer.Build(
            new ServeOptions { ConfigFile = config, DatabasePath = database.Db, Urls = "http://127.0.0.1:0" },
            kairos =>
            {
                kairos.Services.AddLogging(b => b.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)); // stdout keeps its one JSON line
                kairos.AddHandler("record-start", context =>
                {
                    var now = Stopwatch.GetTimestamp();
                    var id = context.Payload.GetProperty("body").GetProperty("id").GetString()!;
                    if (sent.TryGetValue(id, out var at))
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                    }
                    return Task.FromResult<JsonNode?>(null);
                });
            });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(url) };

        // A warm-up at the same rate opens the connections and compiles the path; it is not measured.
        var failures = 0;
        await Paced.RunAsync(rate, rate * (int)Warmup.TotalSeconds, i => SendAsync(http, "warmup-" + Id(i), sent, () => { }));
        await Paced.WaitAsync(() => latencies.Count >= rate * (int)Warmup.TotalSeconds, TimeSpan.FromSeconds(30));
        latencies.Clear();

        var total = rate * seconds;
        var clock = Stopwatch.StartNew();
        await Paced.RunAsync(rate, total, i => SendAsync(http, Id(i), sent, () => Interlocked.Increment(ref failures)));
        var sendSeconds = clock.Elapsed.TotalSeconds;
        await Paced.WaitAsync(() => latencies.Count >= total - failures, TimeSpan.FromSeconds(30));
        await app.StopAsync();

        var sorted = latencies.Order().ToList();
        return new BenchReport(
            "webhook-latency",
            new JsonObject { ["rate"] = rate, ["seconds"] = seconds, ["warmupSeconds"] = Warmup.TotalSeconds, ["verification"] = "github (HMAC-SHA256)", ["transport"] = "HTTP/1.1 on loopback" },
            new JsonObject
            {
                ["deliveries"] = total,
                ["failedRequests"] = failures,
                ["handlerStarts"] = sorted.Count,
                ["achievedRate"] = Math.Round(total / sendSeconds),
                ["latencyP50Ms"] = Percentiles.Of(sorted, 50),
                ["latencyP99Ms"] = Percentiles.Of(sorted, 99),
                ["latencyMaxMs"] = Percentiles.Of(sorted, 100),
            });
    }

    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);

    private static string Id(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task SendAsync(HttpClient http, string id, ConcurrentDictionary<string, long> sent, Action failed)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/bench") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        sent[id] = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                failed();
            }
        }
        catch (HttpRequestException)
        {
            failed();
        }
    }
}
