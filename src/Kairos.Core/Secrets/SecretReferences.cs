using Kairos.Executors;
using Kairos.Model;

namespace Kairos.Secrets;

/// <summary>
/// Where a job may name a secret: HTTP header values and command environment values. Anywhere
/// else (a URL, a body, an argument) the value would be shown — in logs, in <c>ps</c>, to the
/// server it is sent to as data — so it is refused when the job is saved.
/// </summary>
internal static class SecretReferences
{
    /// <summary>The secrets the executor is given when a run starts.</summary>
    public static IReadOnlyList<string> In(ExecutorSpec executor) => executor switch
    {
        HttpExecutorSpec http => http.Headers.Values.SelectMany(PayloadTemplate.SecretNames).Distinct().ToList(),
        CommandExecutorSpec command => command.Env.Values.SelectMany(PayloadTemplate.SecretNames).Distinct().ToList(),
        _ => [],
    };

    /// <summary>A problem for each place that names a secret where none may be, as "field: message".</summary>
    public static IEnumerable<string> Misplaced(ExecutorSpec executor)
    {
        var places = executor switch
        {
            HttpExecutorSpec http => new[] { ("http.url", http.Url), ("http.body", http.Body) },
            CommandExecutorSpec command => command.Argv.Select((a, i) => ($"command[{i}]", (string?)a)).ToArray(),
            _ => [],
        };
        foreach (var (field, template) in places)
        {
            if (PayloadTemplate.SecretNames(template).FirstOrDefault() is { } name)
            {
                yield return $"{field}: secret '{name}' may only be used in HTTP header values and command environment values, where it is not shown";
            }
        }
    }
}
