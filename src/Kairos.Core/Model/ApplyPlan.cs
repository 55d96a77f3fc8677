namespace Kairos.Model;

/// <summary>What applying a configuration did, or would do (a dry run): one change per job, webhook and subscription.</summary>
public sealed record ApplyPlan(IReadOnlyList<ApplyChange> Changes, bool DryRun)
{
    public int Count(ApplyAction action) => Changes.Count(c => c.Action == action);
}

/// <summary>One definition's change.</summary>
/// <param name="Kind">"job", "webhook" or "subscription".</param>
/// <param name="Name">Its name, with its namespace.</param>
/// <param name="Action">What applying does to it.</param>
public sealed record ApplyChange(string Kind, string Name, ApplyAction Action);

public enum ApplyAction
{
    /// <summary>Declared, not stored: created.</summary>
    Create,

    /// <summary>Declared and stored with another definition: replaced.</summary>
    Update,

    /// <summary>Declared as it is stored.</summary>
    Unchanged,

    /// <summary>Declared by the last start or apply, not now: deleted.</summary>
    Delete,
}
