namespace Kairos;

/// <summary>An error a caller can act on; the server maps each kind to an HTTP status.</summary>
public abstract class KairosException(string message) : Exception(message);

/// <summary>A job, run or trigger that does not exist (HTTP 404).</summary>
public sealed class KairosNotFoundException(string message) : KairosException(message);

/// <summary>The request conflicts with the current state, e.g. running a paused job (HTTP 409).</summary>
public sealed class KairosConflictException(string message) : KairosException(message);

/// <summary>Invalid input: a bad cron expression, a payload that is not JSON, … (HTTP 400).</summary>
public sealed class KairosValidationException(string message) : KairosException(message);

/// <summary>The caller's key does not allow what it asked (HTTP 403); the message says which scope or setting is missing.</summary>
public sealed class KairosForbiddenException(string message) : KairosException(message);
