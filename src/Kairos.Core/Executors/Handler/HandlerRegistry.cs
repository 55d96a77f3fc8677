namespace Kairos.Executors.Handler;

/// <summary>The names handlers were registered under, so a job naming an unknown handler is rejected when it is saved.</summary>
internal sealed class HandlerRegistry
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _names;

    public void Add(string name) => _names.Add(name);

    public bool Contains(string name) => _names.Contains(name);
}
