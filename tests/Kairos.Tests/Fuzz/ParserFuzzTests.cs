using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Cron;
using Kairos.Events;
using Kairos.Executors;
using Kairos.Tests.Support;

namespace Kairos.Tests.Fuzz;

/// <summary>
/// Mutated inputs for each parser: it either succeeds or throws its documented error type, within
/// a second. Anything else (a crash, another exception, a hang) fails naming the seed and the input.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="parse"/> on mutations of <paramref name="seeds"/>; <paramref name="documented"/> is the refusal it may throw.</summary>
    private static void Fuzz(int target, IReadOnlyList<string> seeds, Func<Exception, bool> documented, Action<string> parse, int ciCases = 400)
    {
        var mutator = new Mutator(Mutator.BaseSeed + target);
        for (var i = 0; i < Mutator.Iterations(ciCases); i++)
        {
            var input = mutator.Mutate(mutator.Pick(seeds));
            var clock = Stopwatch.StartNew();
            try
            {
                parse(input);
            }
            catch (Exception ex) when (documented(ex))
            {
                // Refused as documented.
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {mutator.Seed}, case {i}: {ex.GetType().Name}: {ex.Message}\ninput: {input}");
            }
            Assert.True(clock.Elapsed < PerCase, $"seed {mutator.Seed}, case {i} took {clock.Elapsed}\ninput: {input}");
        }
    }

    [Fact]
    public void The_yaml_loader_only_ever_reports_config_errors()
    {
        string[] seeds =
        [
            File.ReadAllText(RepositoryRoot.File("examples", "kairos.yaml")),
            "jobs:\n  a:\n    handler: echo\n    timeout: 5m\n    retry: { maxAttempts: 3, initialDelay: 1s }\n    triggers:\n      - interval: 30s\n      - cron: '0 9 * * *'\n        timeZone: Europe/Paris\n",
            "jobs:\n  a: &j\n    command: [\"/bin/echo\", \"{{payload.x}}\"]\n  b: *j\nwebhooks:\n  h: { maxBodyBytes: 1024, rateLimit: { requests: 5, per: 1s } }\n",
            "engine:\n  workers: 4\n  queues: { q: 2 }\n  retention: { succeeded: 7d }\nsubscriptions:\n  s: { events: 'order.*', filter: { data.n: { $gt: 1 } }, job: a }\n",
        ];

        Fuzz(1, seeds, ex => ex is KairosConfigException, yaml => YamlConfigLoader.Load(yaml, "fuzz.yaml"), ciCases: 300);
    }

    [Fact]
    public void The_cron_parser_only_ever_throws_cron_format_errors()
    {
        string[] seeds = ["*/5 * * * *", "0 9 * * MON-FRI", "0 0 L * ?", "0 0 15W * *", "0 0 * * 5#3", "@daily", "30 0 9 * JAN-MAR *", "0 0 LW * *", "0 0 L-3 * *", "0 12 * * 5L"];
        var from = new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

        Fuzz(2, seeds, ex => ex is CronFormatException, text =>
        {
            var schedule = CronSchedule.Parse(text);
            schedule.GetNextOccurrence(from, paris);
        });
    }

    [Fact]
    public void Event_filters_only_ever_throw_validation_errors_and_match_without_throwing()
    {
        string[] seeds =
        [
            """{"data.amount":{"$gt":100}}""", """{"source":"shop","data.amount":{"$lte":5.5}}""", """{"data.sku":{"$glob":"A*-?[0-9]"}}""",
            """{"data.tags":{"$in":["a","b",1]}}""", """{"data.x":{"$exists":true},"data.y":{"$ne":null}}""", """{"data.items.0.id":"x"}""",
        ];
        var envelope = JsonNode.Parse("""{"type":"order.created","source":"shop","data":{"amount":150,"sku":"A12-7","tags":["a"],"items":[{"id":"x"}],"y":1}}""")!;

        Fuzz(3, seeds, ex => ex is KairosValidationException, json => EventFilter.Parse(json).Matches(envelope));
    }

    [Fact]
    public void Payload_templates_only_ever_throw_template_errors()
    {
        // A case is a template and a payload separated by U+001F, so that both are mutated and a failure shows both.
        string[] templates = ["hello {{payload.who}}", "{{payload}}", "{{ payload.items.0.id }}-{{payload.n}}", "{{payload.a.b.c}}", "plain"];
        string[] payloads = ["""{"who":"world","items":[{"id":7}],"n":1.5,"a":{"b":{"c":null}}}""", "null", "[]", "\"text\""];
        var seeds = templates.SelectMany(t => payloads.Select(p => t + '\u001f' + p)).ToList();

        Fuzz(4, seeds, ex => ex is TemplateException, input =>
        {
            var parts = input.Split('\u001f', 2);
            PayloadTemplate.Render(parts[0], parts.Length == 2 ? parts[1] : null);
        });
    }
}
