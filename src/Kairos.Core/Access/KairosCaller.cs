namespace Kairos.Access;

/// <summary>
/// Who is asking <see cref="Client.IKairosClient"/> to do something. The server binds one to each
/// request (from its API key); code that embeds Kairos uses <see cref="System"/>, which may do anything.
/// </summary>
/// <param name="Name">For messages and the journal: the key's name, or what the caller is.</param>
/// <param name="Scope">The highest scope the caller holds; it includes those below it.</param>
/// <param name="CommandsAllowed">
/// Whether this caller may declare command executors and SQL poll triggers at all (with
/// <see cref="KairosScope.Admin"/>). A server turns it off for its API unless its configuration
/// says <c>api.allowCommandJobs: true</c>; files on the server's own disk are not affected.
/// </param>
/// <param name="Namespaces">
/// The namespaces the caller may work in (see <see cref="Access.Namespaces"/>); null: every one. A
/// caller bound to namespaces finds nothing outside them, and may not manage keys or secrets nor
/// declare commands, which act on the whole server, whatever its scope.
/// </param>
public sealed record KairosCaller(string Name, KairosScope Scope, bool CommandsAllowed = false, IReadOnlyList<string>? Namespaces = null)
{
    /// <summary>The application itself: every scope and namespace, commands included.</summary>
    public static KairosCaller System { get; } = new("system", KairosScope.Admin, CommandsAllowed: true);

    public bool Holds(KairosScope scope) => Scope >= scope;

    /// <summary>Whether the caller may work in <paramref name="ns"/>; null: across every namespace at once.</summary>
    public bool MayUse(string? ns) => Namespaces is null || (ns is not null && Namespaces.Contains(ns, StringComparer.Ordinal));
}
