using System.Globalization;
using System.Text.Json.Nodes;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos events publish | list | show | cancel | retry | replay</c>.</summary>
internal static class EventsCommand
{
    public static async Task<int> RunAsync(string[] rest, TextWriter output)
    {
        var sub = rest.Length > 0 ? rest[0] : throw new UsageException("missing subcommand: publish, list, show, cancel, retry or replay");
        var args = sub switch
        {
            "publish" => Parse(rest[1..], [], ["--data", "--source", "--priority", "--idempotency-key", "--at", "--in"]),
            "list" => Parse(rest[1..], [], ["--type", "--status", "--limit"]),
            "replay" => Parse(rest[1..], [], ["--subscription", "--from", "--to", "--type"]),
            _ => Parse(rest[1..]),
        };
        using var api = ApiClient.For(args);
        var json = args.Has("--json");
        switch (sub)
        {
            case "publish":
                var type = args.Positional(0, "the event type, e.g. order.created");
                args.NoMorePositionals(1);
                var body = new JsonObject { ["type"] = type, ["source"] = args.Get("--source") ?? "cli" };
                if (args.Get("--data") is { } data)
                {
                    body["data"] = ParseJson(data, "--data");
                }
                if (args.Get("--priority") is { } priority)
                {
                    body["priority"] = int.TryParse(priority, CultureInfo.InvariantCulture, out var p) ? p : throw new UsageException("--priority must be a whole number from 1 to 10");
                }
                if (args.Get("--idempotency-key") is { } key)
                {
                    body["idempotencyKey"] = key;
                }
                foreach (var later in (string[])["--at", "--in"])
                {
                    if (args.Get(later) is { } when)
                    {
                        body[later[2..]] = when;
                    }
                }
                var published = await api.PostAsync("api/events", body.ToJsonString());
                if (json)
                {
                    PrintJson(output, published);
                }
                else
                {
                    var runs = published!["runIds"]!.AsArray().Select(Text).ToList();
                    output.WriteLine($"event {Text(published["eventId"])} {(published["created"]!.GetValue<bool>() ? "published" : "already published (idempotency key)")}; " +
                        $"{runs.Count} run(s){(runs.Count > 0 ? ": " + string.Join(", ", runs) : "")}");
                }
                return 0;
            case "list":
                args.NoMorePositionals(0);
                var events = await api.GetAsync(WithQuery("api/events", args, "--type", "--status", "--limit"));
                if (json)
                {
                    PrintJson(output, events);
                    return 0;
                }
                TableWriter.Write(output, ["ID", "TYPE", "SOURCE", "STATUS", "RUNS", "PUBLISHED"],
                    events!.AsArray().Select(e => (IReadOnlyList<string?>)
                        [Text(e!["id"]), Text(e["type"]), Text(e["source"]), Text(e["status"]), Text(e["runs"]), Time(e["publishedAt"])]));
                return 0;
            case "show" or "cancel" or "retry":
                var id = args.Positional(0, "the event id");
                args.NoMorePositionals(1);
                if (!long.TryParse(id, CultureInfo.InvariantCulture, out _))
                {
                    throw new UsageException($"'{id}' is not an event id (a number)");
                }
                var result = sub == "show" ? await api.GetAsync($"api/events/{id}") : await api.PostAsync($"api/events/{id}/{sub}");
                if (json || sub == "show")
                {
                    PrintJson(output, result);
                }
                else
                {
                    output.WriteLine(sub == "cancel"
                        ? $"event {id} cancelled ({Text(result!["cancelledRuns"])} queued run(s) cancelled)"
                        : $"event {id}: {result!["retriedRuns"]!.AsArray().Count} failed run(s) queued again");
                }
                return 0;
            case "replay":
                args.NoMorePositionals(0);
                var replay = new JsonObject
                {
                    ["subscription"] = args.Get("--subscription") ?? throw new UsageException("--subscription is required"),
                    ["from"] = args.Get("--from") ?? throw new UsageException("--from is required (an ISO-8601 time)"),
                    ["to"] = args.Get("--to") ?? DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                    ["type"] = args.Get("--type"),
                };
                var replayed = await api.PostAsync("api/events/replay", replay.ToJsonString());
                if (json)
                {
                    PrintJson(output, replayed);
                }
                else
                {
                    output.WriteLine($"{replayed!["runIds"]!.AsArray().Count} event(s) replayed to {Text(replay["subscription"])}");
                }
                return 0;
            default:
                throw new UsageException($"unknown events subcommand '{sub}'; use publish, list, show, cancel, retry or replay");
        }
    }

    private static JsonNode? ParseJson(string text, string option)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new UsageException($"{option} is not valid JSON: {ex.Message}");
        }
    }
}
