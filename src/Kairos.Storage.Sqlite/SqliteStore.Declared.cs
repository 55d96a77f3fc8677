using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>What the configuration declared at the last start.</summary>
internal sealed partial class SqliteStore
{
    private sealed partial class Transaction
    {
        public ValueTask<IReadOnlyList<DeclaredName>> ListDeclaredAsync() =>
            ValueTask.FromResult<IReadOnlyList<DeclaredName>>(scope.Query("SELECT kind, name FROM declared ORDER BY kind, name", r => new DeclaredName(r.Text(0), r.Text(1))));

        public ValueTask ReplaceDeclaredAsync(IReadOnlyList<DeclaredName> names)
        {
            scope.Execute("DELETE FROM declared");
            foreach (var name in names)
            {
                scope.Execute("INSERT INTO declared (kind, name) VALUES (@kind, @name) ON CONFLICT DO NOTHING", ("@kind", name.Kind), ("@name", name.Name));
            }
            return ValueTask.CompletedTask;
        }
    }
}
