using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Configuration.Schema;

/// <summary>A job's <c>workflow:</c>: its steps, what a failure does, its output template and time limit.</summary>
internal sealed record WorkflowDocument(List<WorkflowStepDocument> Steps)
{
    public WorkflowFailure? OnFailure { get; init; }
    public string? Output { get; init; }
    public string? Timeout { get; init; }
}

/// <summary>What a step (or its compensation) runs: another job, or its own handler, command or http request.</summary>
internal record WorkflowActionDocument
{
    public string? Job { get; init; }
    public string? Handler { get; init; }
    public CommandDocument? Command { get; init; }
    public HttpDocument? Http { get; init; }

    /// <summary>A JSON template, as text.</summary>
    public string? Input { get; init; }

    public RetryDocument? Retry { get; init; }
    public string? Timeout { get; init; }
}

internal sealed record WorkflowStepDocument(string Id) : WorkflowActionDocument
{
    public List<string>? Needs { get; init; }

    /// <summary>A condition as it was saved: text, or the structured form (an object with all, any, not, or left, op and right).</summary>
    public JsonNode? When { get; init; }
    public StepRunIf? RunIf { get; init; }
    public string? Sleep { get; init; }
    public WorkflowWaitDocument? WaitForEvent { get; init; }
    public string? ForEach { get; init; }
    public int? MaxParallel { get; init; }
    public WorkflowActionDocument? Compensate { get; init; }
}

/// <summary>A wait; its match, like a step's when, is text or structured as it was saved.</summary>
internal sealed record WorkflowWaitDocument(string Type, string Timeout, JsonNode? Match);
