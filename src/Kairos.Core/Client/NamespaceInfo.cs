namespace Kairos.Client;

/// <summary>A namespace (see <see cref="Access.Namespaces"/>) with how many jobs it holds and its runs by state.</summary>
public sealed record NamespaceInfo(string Name, long Jobs, IReadOnlyDictionary<string, long> RunsByState);
