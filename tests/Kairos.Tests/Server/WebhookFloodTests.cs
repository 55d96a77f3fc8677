using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>
/// Floods of requests that are refused before acceptance (forged signatures, made-up hook names)
/// over real HTTP: they are counted, not stored, so they cannot fill the disk.
/// </summary>
public sealed class WebhookFloodTests : IAsyncLifetime
{
    private const string Secret = "flood-secret";
    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        webhooks:
          flooded:
            verify: github
            secret: flood-secret
        jobs:
          on-flooded:
            handler: echo
            triggers:
              - webhook: flooded
        """, s => s.Services.AddSingleton<TimeProvider>(_clock), _directory);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Two_thousand_refused_requests_add_no_row_then_one_journal_entry_per_hook_and_the_signed_sender_still_gets_through()
    {
        using var refused = new MetricRecorder(_server.Engine, "kairos.webhook.deliveries");
        await Eventually.TrueAsync(() => _server.Engine.IsLeader, "the node to lead (journaled) before the journal is counted");
        var journalBefore = await JournalEntriesAsync();
        var bytesBefore = DatabaseBytes();

        await Parallel.ForEachAsync(Enumerable.Range(0, 2_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            // Half forged signatures on a real hook, half random hook names.
            var path = i % 2 == 0 ? "/hooks/flooded" : $"/hooks/made-up-{Guid.NewGuid():N}";
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + new string('0', 64));
            using var response = await _server.Http.SendAsync(request, ct);
            Assert.Equal(i % 2 == 0 ? HttpStatusCode.Unauthorized : HttpStatusCode.NotFound, response.StatusCode);
        });

        Assert.Equal(journalBefore, await JournalEntriesAsync());
        Assert.Empty(await _server.Client.ListRunsAsync(new RunQuery()));
        Assert.InRange(DatabaseBytes() - bytesBefore, long.MinValue, 64 * 1024);
        Assert.Equal(1_000, refused.Sum(("hook", "flooded"), ("result", "signature")));
        Assert.Equal(1_000, refused.Sum(("hook", "*unknown*"), ("result", "unknown-hook")));

        using var signed = await _server.Http.SendAsync(Signed("""{"ok":true}"""));
        Assert.Equal(HttpStatusCode.Accepted, signed.StatusCode);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () => (await RefusedEntriesAsync()).Count == 2, "one webhook.refused entry per hook");
        var entries = await RefusedEntriesAsync();
        Assert.Equal(1_000, entries.Single(e => e["hook"]!.GetValue<string>() == "flooded")["reasons"]!["signature"]!.GetValue<long>());
        Assert.Equal(1_000, entries.Single(e => e["hook"]!.GetValue<string>() == "*unknown*")["reasons"]!["unknown-hook"]!.GetValue<long>());
    }

    private static HttpRequestMessage Signed(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/flooded") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        return request;
    }

    private async Task<long> JournalEntriesAsync() => (await _server.Client.GetStatsAsync()).JournalEntries;

    private async Task<List<JsonNode>> RefusedEntriesAsync() =>
        (await _server.Client.ListJournalAsync(new JournalQuery { Limit = 1_000 }))
            .Where(e => e.Kind == "webhook.refused").Select(e => JsonNode.Parse(e.Data!)!).ToList();

    /// <summary>The SQLite file and its write-ahead log: what a flood that wrote rows would grow.</summary>
    private long DatabaseBytes() =>
        new[] { "kairos.db", "kairos.db-wal" }.Select(_directory.File).Where(File.Exists).Sum(f => new FileInfo(f).Length);
}
