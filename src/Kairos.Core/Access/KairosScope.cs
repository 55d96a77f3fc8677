namespace Kairos.Access;

/// <summary>
/// What an API key may do. The scopes form a ladder: each one includes those below it, because a
/// key that may write jobs may also create one with a <c>now</c> trigger, i.e. run it.
/// </summary>
public enum KairosScope
{
    /// <summary>Read jobs, runs, logs, events, subscriptions, webhooks, nodes and stats.</summary>
    Read = 1,

    /// <summary>Also run jobs now, publish events, cancel and retry runs and events.</summary>
    Run = 2,

    /// <summary>Also create, change, pause and delete jobs, subscriptions and webhooks (no command executors or SQL poll triggers).</summary>
    Write = 3,

    /// <summary>Everything: API keys, command executors, SQL poll triggers.</summary>
    Admin = 4,
}

/// <summary>Scope names as they appear in the API, the CLI and the journal.</summary>
public static class KairosScopes
{
    public static string ToWire(this KairosScope scope) => scope switch
    {
        KairosScope.Read => "read",
        KairosScope.Run => "run",
        KairosScope.Write => "write",
        KairosScope.Admin => "admin",
        // A caller with no scope at all (a request that was never authenticated) has none to name.
        _ => "none",
    };

    public static bool TryParse(string? text, out KairosScope scope)
    {
        (var found, scope) = text switch
        {
            "read" => (true, KairosScope.Read),
            "run" => (true, KairosScope.Run),
            "write" => (true, KairosScope.Write),
            "admin" => (true, KairosScope.Admin),
            _ => (false, default),
        };
        return found;
    }

    /// <summary>A scope as a driver stored it (written by <see cref="ToWire"/>).</summary>
    internal static KairosScope FromStored(string wire) =>
        TryParse(wire, out var scope) ? scope : throw new InvalidDataException($"unknown stored scope '{wire}'");

    public const string Names = "read, run, write or admin";
}
