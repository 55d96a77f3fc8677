using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Postgres;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>
/// The PostgreSQL driver sends journal and log inserts with the transaction's next statement or with
/// its COMMIT (PgScope.Defer): a failing deferred statement must still fail the whole write.
/// </summary>
public sealed class PostgresDeferredStatementsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static async Task WithStoreAsync(Func<PostgresStore, Task> work)
    {
        var schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
        var store = new PostgresStore(PostgresFactAttribute.ConnectionString!, "node-1", schema);
        try
        {
            await store.MigrateAsync(CancellationToken.None);
            await store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") }, [], T0, CancellationToken.None);
            await work(store);
        }
        finally
        {
            await store.DisposeAsync();
            await PostgresSchema.DropAsync(schema);
        }
    }

    [PostgresFact]
    public Task A_journal_entry_that_fails_at_commit_undoes_the_whole_write_and_the_store_goes_on() =>
        WithStoreAsync(async store =>
        {
            var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => store.WriteAsync(async tx =>
            {
                var id = await tx.InsertRunFromJobAsync(new RunRequest("job", TriggerSources.Manual), T0);
                // The journal's kind is NOT NULL: this insert fails, and only when it reaches the server with the COMMIT.
                await tx.AppendJournalAsync(T0, null!, "job", id, null, null);
                return id;
            }, CancellationToken.None));
            // Refused by the server (a client-side error would never have reached the COMMIT).
            Assert.Equal((Npgsql.PostgresErrorCodes.NotNullViolation, "kind"), (refused.SqlState, refused.ColumnName));
            Assert.Empty(await store.ListRunsAsync(new RunQuery { Limit = 10 }, CancellationToken.None));

            // The connection went back to the pool out of its failed transaction: the next writes commit.
            for (var i = 0; i < 3; i++)
            {
                await store.EnqueueAsync(new RunRequest("job", TriggerSources.Manual), T0, CancellationToken.None);
            }
            var runs = await store.ListRunsAsync(new RunQuery { Limit = 10 }, CancellationToken.None);
            Assert.Equal(3, runs.Count);
            var journal = await store.ListJournalAsync(new JournalQuery { Limit = 100 }, CancellationToken.None);
            Assert.Equal(3, journal.Count(e => e.Kind == "run.enqueued"));
        });
}
