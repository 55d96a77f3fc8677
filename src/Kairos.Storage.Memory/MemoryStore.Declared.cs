using System.Collections.Immutable;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>What the configuration declared at the last start.</summary>
internal sealed partial class MemoryStore
{
    private sealed partial class Transaction
    {
        public ValueTask<IReadOnlyList<DeclaredName>> ListDeclaredAsync() =>
            ValueTask.FromResult<IReadOnlyList<DeclaredName>>(State.Declared.OrderBy(n => n.Kind, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal).ToList());

        public ValueTask ReplaceDeclaredAsync(IReadOnlyList<DeclaredName> names)
        {
            State = State with { Declared = names.ToImmutableHashSet() };
            return ValueTask.CompletedTask;
        }
    }
}
