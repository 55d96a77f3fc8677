using Kairos.Engine.Lifecycle;
using Kairos.Model;

namespace Kairos.Storage.Memory;

/// <summary>Leases, completion and logs: the running half of the run lifecycle.</summary>
internal sealed partial class MemoryStore
{
    public Task<LeaseRenewal> RenewLeasesAsync(string owner, IReadOnlyCollection<long> runIds, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var cancel = new List<long>();
            var lost = new List<long>();
            foreach (var id in runIds)
            {
                if (!tx.State.Runs.TryGetValue(id, out var row) || row.Run.State != RunState.Running || row.Run.LeaseOwner != owner)
                {
                    lost.Add(id);
                    continue;
                }
                tx.UpdateRun(id, r => r with { LeaseExpiresAt = Stored(leaseExpiresAt) });
                if (row.Run.CancelRequested)
                {
                    cancel.Add(id);
                }
            }
            return new LeaseRenewal(cancel, lost);
        });

    public Task<bool> CompleteAsync(RunCompletion completion, CancellationToken cancellationToken) =>
        WriteAsync(tx => RunCompletions.CompleteAsync(tx, completion), cancellationToken);

    public Task AppendRunLogAsync(long runId, IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            tx.AppendLogs(lines.Select(line => (runId, line)));
            return true;
        });
}
