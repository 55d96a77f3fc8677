using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos events publish | list | show | cancel | retry | replay</c>.</summary>
internal static class EventsCommand
{
    public static Command Build() => Group("events", "publish events, list and show them, cancel, retry or replay them",
        Leaf("publish", "publish an event: each matching subscription enqueues a run", PublishAsync,
        [
            Argument("TYPE", "the event type, e.g. order.created"),
            Valued("--data", "JSON", "the event's data"),
            Valued("--source", "S", "who publishes it (default cli)"),
            Valued("--priority", "N", "1 to 10"),
            Valued("--idempotency-key", "KEY", "an event with this key already published is answered instead of a new one"),
            Valued("--at", "TIME", "its runs are due at this ISO-8601 time"),
            Valued("--in", "DELAY", "its runs are due after this delay (30s, 10m)"),
            .. ClientOptions(),
        ]),
        Leaf("list", "events, newest first", ListAsync,
        [
            Valued("--type", "PATTERN", "only types matching this pattern (order.*)"),
            Valued("--status", "S", "only events in this status: pending, processing, completed or failed"),
            Valued("--limit", "N", "at most this many"),
            .. ClientOptions(),
        ]),
        Leaf("show", "an event with its runs, as JSON", (args, output) => ActAsync("show", args, output), [EventId(), .. ClientOptions()]),
        Leaf("cancel", "cancel a pending event and its queued runs", (args, output) => ActAsync("cancel", args, output), [EventId(), .. ClientOptions()]),
        Leaf("retry", "queue an event's dead runs again", (args, output) => ActAsync("retry", args, output), [EventId(), .. ClientOptions()]),
        Leaf("replay", "send one stored event again (ID), or the stored events of a time range to a subscription (--from)", ReplayAsync,
        [
            new Argument<string>("ID") { Description = "the event id: that event alone, to --subscription or to every subscription whose type pattern takes it", Arity = ArgumentArity.ZeroOrOne },
            Valued("--subscription", "NAME", "the subscription (required for a range)"),
            Valued("--from", "TIME", "the range's start, ISO 8601 (required without ID)"),
            Valued("--to", "TIME", "the range's end (default now)"),
            Valued("--type", "PATTERN", "only events whose type matches"),
            .. ClientOptions(),
        ]));

    private static Argument<string> EventId() => Argument("ID", "the event id");

    private static async Task<int> PublishAsync(CliArgs args, TextWriter output)
    {
        var type = args.Positionals[0];
        var body = new JsonObject { ["type"] = type, ["source"] = args.Get("--source") ?? "cli" };
        if (args.Get("--data") is { } data)
        {
            body["data"] = JsonOption(data, "--data");
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
        using var api = ApiClient.For(args);
        var published = await api.PostAsync("api/events", body.ToJsonString());
        if (args.Has("--json"))
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
    }

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var events = await api.GetAsync(WithQuery("api/events", args, "--type", "--status", "--limit"));
        if (args.Has("--json"))
        {
            PrintJson(output, events);
            return 0;
        }
        TableWriter.Write(output, ["ID", "TYPE", "SOURCE", "STATUS", "RUNS", "PUBLISHED"],
            events!.AsArray().Select(e => (IReadOnlyList<string?>)
                [Text(e!["id"]), Text(e["type"]), Text(e["source"]), Text(e["status"]), Text(e["runs"]), Time(e["publishedAt"])]));
        return 0;
    }

    private static async Task<int> ActAsync(string sub, CliArgs args, TextWriter output)
    {
        var id = args.Positionals[0];
        if (!long.TryParse(id, CultureInfo.InvariantCulture, out _))
        {
            throw new UsageException($"'{id}' is not an event id (a number)");
        }
        using var api = ApiClient.For(args);
        var result = sub == "show" ? await api.GetAsync($"api/events/{id}") : await api.PostAsync($"api/events/{id}/{sub}");
        if (args.Has("--json") || sub == "show")
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
    }

    private static async Task<int> ReplayAsync(CliArgs args, TextWriter output)
    {
        if (args.Positionals.Count > 0)
        {
            return await ReplayOneAsync(args, output);
        }
        var replay = new JsonObject
        {
            ["subscription"] = args.Get("--subscription") ?? throw new UsageException("--subscription is required"),
            ["from"] = args.Get("--from") ?? throw new UsageException("--from is required (an ISO-8601 time)"),
            ["to"] = args.Get("--to") ?? DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["type"] = args.Get("--type"),
        };
        using var api = ApiClient.For(args);
        var replayed = await api.PostAsync("api/events/replay", replay.ToJsonString());
        if (args.Has("--json"))
        {
            PrintJson(output, replayed);
        }
        else
        {
            output.WriteLine($"{replayed!["runIds"]!.AsArray().Count} event(s) replayed to {Text(replay["subscription"])}");
        }
        return 0;
    }

    /// <summary><c>kairos events replay ID</c>: that event and no other, whatever else was published in the same instant.</summary>
    private static async Task<int> ReplayOneAsync(CliArgs args, TextWriter output)
    {
        var id = args.Positionals[0];
        if (!long.TryParse(id, CultureInfo.InvariantCulture, out _))
        {
            throw new UsageException($"'{id}' is not an event id (a number)");
        }
        if (new[] { "--from", "--to", "--type" }.FirstOrDefault(args.Has) is { } range)
        {
            throw new UsageException($"{range} is for a range of events; with an event id, give at most --subscription");
        }
        using var api = ApiClient.For(args);
        var replayed = await api.PostAsync(WithQuery($"api/events/{id}/replay", args, "--subscription"));
        if (args.Has("--json"))
        {
            PrintJson(output, replayed);
        }
        else
        {
            var runs = replayed!["runIds"]!.AsArray().Select(Text).ToList();
            output.WriteLine($"event {id} replayed; {runs.Count} run(s){(runs.Count > 0 ? ": " + string.Join(", ", runs) : "")}");
        }
        return 0;
    }
}
