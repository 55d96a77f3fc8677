using System.Globalization;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Tells the other nodes, through PostgreSQL NOTIFY, what this node's committed writes changed, and
/// hears theirs (LISTEN on a connection of its own).
/// <para>
/// A notification is sent after the commit rather than inside the transaction: a NOTIFY in a
/// transaction takes a cluster-wide lock at commit, which would serialize every enqueue of every
/// node. Sending afterwards, one at a time, coalesces a burst of writes into a few notifications:
/// while one is on its way, later changes pile up and leave together in the next. If this process
/// dies between a commit and its notification, the other nodes still find the work at their next
/// idle recheck.
/// </para>
/// Payload: <c>{changes as a number}:{node id}</c>, so a node can ignore its own notifications.
/// </summary>
internal sealed class PgChangeNotifier(NpgsqlDataSource dataSource, string channel, string node) : Drivers.INotifier, IAsyncDisposable
{
    /// <summary>How long a listening connection waits for a notification before it checks the connection is alive.</summary>
    private static readonly TimeSpan ListenProbeInterval = TimeSpan.FromSeconds(30);

    private int _pending;
    private int _sending;
    private Task _send = Task.CompletedTask;

    public void Announce(StoreChanges changes)
    {
        if (changes == StoreChanges.None)
        {
            return;
        }
        Interlocked.Or(ref _pending, (int)changes);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _send = Task.Run(SendPendingAsync);
        }
    }

    private async Task SendPendingAsync()
    {
        while (true)
        {
            var changes = Interlocked.Exchange(ref _pending, 0);
            if (changes != 0)
            {
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                    notify.Parameters.AddWithValue("channel", channel);
                    notify.Parameters.AddWithValue("payload", string.Create(CultureInfo.InvariantCulture, $"{changes}:{node}"));
                    await notify.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException)
                {
                    // Lost: the other nodes find the work at their next idle recheck.
                }
            }
            Volatile.Write(ref _sending, 0);
            // A change announced after the exchange above but before the flag dropped would otherwise wait for the next announce.
            if (Volatile.Read(ref _pending) == 0 || Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
            {
                return;
            }
        }
    }

    public async Task ListenAsync(Action<StoreChanges> onChange, CancellationToken stopping)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stopping).ConfigureAwait(false);
        connection.Notification += (_, e) =>
        {
            if (Parse(e.Payload) is { } change && change.Node != node)
            {
                onChange(change.Changes);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection))
        {
            await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
        }
        onChange(StoreChanges.All); // Whatever changed before we listened was not heard.
        while (true)
        {
            if (!await connection.WaitAsync(ListenProbeInterval, stopping).ConfigureAwait(false))
            {
                // Quiet for a while: make sure the connection is alive, or fail so the caller listens again.
                await using var probe = new NpgsqlCommand("SELECT 1", connection);
                await probe.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Parses a payload; null when it is not one of ours.</summary>
    public static (StoreChanges Changes, string Node)? Parse(string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && int.TryParse(payload.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var changes)
            ? ((StoreChanges)changes & StoreChanges.All, payload[(colon + 1)..])
            : null;
    }

    public async ValueTask DisposeAsync() => await _send.ConfigureAwait(false);
}
