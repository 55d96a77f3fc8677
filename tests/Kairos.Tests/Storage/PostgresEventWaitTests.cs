using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Postgres;
using Kairos.Tests.Support;
using Kairos.Workflows;
using Npgsql;

namespace Kairos.Tests.Storage;

/// <summary>
/// The wait lock on PostgreSQL under READ COMMITTED: a wait's look-back and a publish that overlap in
/// time are ordered by it, so neither misses the other's write. Each test holds one transaction open
/// at the point that matters and checks the other waits for it.
/// </summary>
public sealed class PostgresEventWaitTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch.AddDays(1);

    private static readonly WorkflowExecutorSpec Flow = new(
        [new WorkflowStep("pay") { WaitForEvent = new EventWait("payment.received", TimeSpan.FromHours(1)) { Match = "event.data.order == {{input.order}}" } }]);

    private static readonly EventRequest Payment = new("payment.received", "test") { Data = """{"order": 7}""" };

    /// <summary>A store on a fresh schema with a payment flow started: its wait is stored and the run it looks back in claimed.</summary>
    private static async Task WithWaitAsync(Func<PostgresStore, string, long, RunRecord, Task> work)
    {
        var schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
        var store = new PostgresStore(PostgresFactAttribute.ConnectionString!, "node-a", schema);
        try
        {
            await store.MigrateAsync(CancellationToken.None);
            await store.SaveJobAsync(new JobDefinition { Name = "flow", Executor = Flow }, [], T0, CancellationToken.None);
            var started = await store.EnqueueAsync(new RunRequest("flow", TriggerSources.Manual) { Payload = """{"order": 7}""" }, T0, CancellationToken.None);
            var claim = new ClaimRequest("node-a", T0, T0.AddMinutes(5), 10, new Dictionary<string, int>(), new Dictionary<string, int>());
            var workflowRun = Assert.Single(await store.ClaimAsync(claim, CancellationToken.None));
            await store.CompleteAsync(new RunCompletion(workflowRun.Id, "node-a", RunOutcome.Waiting, T0) { Run = workflowRun, Workflow = Flow }, CancellationToken.None);
            var lookBack = Assert.Single(await store.ClaimAsync(claim, CancellationToken.None));
            await work(store, schema, started.RunId, lookBack);
        }
        finally
        {
            await store.DisposeAsync();
            await PostgresSchema.DropAsync(schema);
        }
    }

    /// <summary>Waits until some other session waits for the schema's wait lock.</summary>
    private static Task BlockedOnTheWaitLockAsync(string schema) =>
        Eventually.TrueAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid::bigint = (hashtext('kairos.event-waits.' || @schema)::bigint & 4294967295)",
                connection);
            command.Parameters.AddWithValue("schema", schema);
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }, "a transaction to wait for the wait lock");

    [PostgresFact]
    public Task A_look_back_waits_for_a_publish_in_flight_and_then_sees_its_event() =>
        WithWaitAsync(async (store, schema, _, lookBack) =>
        {
            var stored = new TaskCompletionSource();
            var commit = new TaskCompletionSource();
            // A publish that read the waits before the wait was stored: it holds the lock shared, its event not yet committed.
            var publish = store.WriteAsync(async tx =>
            {
                await tx.LockEventWaitsAsync(exclusive: false);
                var id = await tx.InsertEventAsync(Payment, T0.AddSeconds(1));
                stored.SetResult();
                await commit.Task;
                return id;
            }, CancellationToken.None);
            await stored.Task;

            var looking = store.WriteAsync(tx => EventWaits.LookBackAsync(tx, lookBack.Id), CancellationToken.None);
            await BlockedOnTheWaitLockAsync(schema);
            Assert.False(looking.IsCompleted);
            commit.SetResult();

            await publish;
            Assert.Equal("""{"order": 7}""", await looking);
        });

    [PostgresFact]
    public Task A_publish_waits_for_a_look_back_in_flight_and_then_gives_its_event_to_the_wait() =>
        WithWaitAsync(async (store, schema, workflow, lookBack) =>
        {
            var lookedBack = new TaskCompletionSource<string?>();
            var commit = new TaskCompletionSource();
            var looking = store.WriteAsync(async tx =>
            {
                lookedBack.SetResult(await EventWaits.LookBackAsync(tx, lookBack.Id));
                await commit.Task;
                return 0;
            }, CancellationToken.None);
            Assert.Null(await lookedBack.Task);

            var publish = store.PublishAsync(Payment, T0.AddSeconds(1), CancellationToken.None);
            await BlockedOnTheWaitLockAsync(schema);
            Assert.False(publish.IsCompleted);
            commit.SetResult();
            await looking;
            await publish;

            // The run is still running (its look-back found nothing): the wait holds the event until it ends.
            Assert.True(await store.CompleteAsync(new RunCompletion(lookBack.Id, "node-a", RunOutcome.Succeeded, T0.AddSeconds(2)) { WorkflowRunId = workflow }, CancellationToken.None));
            var step = (await store.GetWorkflowAsync(workflow, CancellationToken.None))!.Steps.Single();
            Assert.Equal((StepStates.Succeeded, """{"order": 7}"""), (step.State, step.Output));
        });
}
