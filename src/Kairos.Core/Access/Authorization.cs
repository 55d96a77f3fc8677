using Kairos.Model;

namespace Kairos.Access;

/// <summary>
/// The checks that depend on what is asked, not only on which endpoint: a job may be saved by a
/// <see cref="KairosScope.Write"/> caller unless it runs commands or SQL, which only an admin may
/// declare, and only where the server allows it at all.
/// </summary>
internal static class Authorization
{
    /// <summary>Keys, secrets and commands act on the whole server: they need an admin of every namespace.</summary>
    public static void RequireAdmin(KairosCaller caller, string action)
    {
        if (!caller.Holds(KairosScope.Admin))
        {
            throw new KairosForbiddenException($"only an admin key may {action}; '{caller.Name}' has scope {caller.Scope.ToWire()}");
        }
        if (caller.Namespaces is not null)
        {
            throw new KairosForbiddenException($"only an admin key of every namespace may {action}; '{caller.Name}' is bound to {string.Join(", ", caller.Namespaces)}");
        }
    }

    public static void RequireMayDeclare(KairosCaller caller, JobDefinition job)
    {
        if (CodeItRuns(job) is not { } what)
        {
            return;
        }
        if (!caller.CommandsAllowed)
        {
            throw new KairosForbiddenException(
                $"job '{job.Name}' {what}, and this server does not accept commands or SQL through its API: " +
                "declare the job in the server's YAML file, or set api.allowCommandJobs: true there and use an admin key");
        }
        RequireAdmin(caller, $"declare a job that {what}");
    }

    /// <summary>What in the job runs code or queries of the caller's choosing on the server, or null.</summary>
    private static string? CodeItRuns(JobDefinition job) =>
        job.Executor is CommandExecutorSpec ? "runs a command"
        : job.Executor is WorkflowExecutorSpec workflow && workflow.Steps.SelectMany(s => new[] { s.Run, s.Compensate?.Run }).Any(r => r is CommandExecutorSpec)
            ? "runs a command in a workflow step"
        : job.Triggers.OfType<PollTriggerSpec>().Any(p => p.Sql is not null) ? "has a SQL poll trigger"
        : null;
}
