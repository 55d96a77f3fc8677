using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>What the configuration declared at the last start.</summary>
internal sealed partial class PostgresStore
{
    private sealed partial class Transaction
    {
        public async ValueTask<IReadOnlyList<DeclaredName>> ListDeclaredAsync() =>
            await scope.Query("SELECT kind, name FROM declared ORDER BY kind, name FOR UPDATE", r => new DeclaredName(r.GetString(0), r.GetString(1))).ConfigureAwait(false);

        public async ValueTask ReplaceDeclaredAsync(IReadOnlyList<DeclaredName> names)
        {
            await scope.Execute("DELETE FROM declared").ConfigureAwait(false);
            await scope.Execute(
                "INSERT INTO declared (kind, name) SELECT * FROM unnest(@kinds::text[], @names::text[]) ON CONFLICT DO NOTHING",
                ("kinds", names.Select(n => n.Kind).ToArray()), ("names", names.Select(n => n.Name).ToArray())).ConfigureAwait(false);
        }
    }
}
