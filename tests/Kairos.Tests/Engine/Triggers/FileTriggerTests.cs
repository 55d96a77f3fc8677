using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Engine.Triggers.Files;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Triggers;

/// <summary>
/// File triggers end to end: real files in real temp directories, real OS notifications, a real
/// SQLite store, and settle / reconcile timing driven by the manual clock. The clock starts in 2030,
/// far from the files' real mtimes, so only the tests that mean to line the two up (the loop rule) do.
/// </summary>
public sealed class FileTriggerTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private static JobDefinition FileJob(string name, string directory, Func<FileTriggerSpec, FileTriggerSpec>? change = null, string handler = "ok", Func<JobDefinition, JobDefinition>? job = null)
    {
        var spec = new FileTriggerSpec(directory) { Settle = Settle };
        var definition = TestEngine.Job(name, handler, j => j with { Triggers = [change is null ? spec : change(spec)] });
        return job is null ? definition : job(definition);
    }

    private static async Task<long> TriggerIdAsync(TestEngine t, string job) =>
        (await t.Store.ListTriggersAsync(job, CancellationToken.None)).Single().Id;

    private static FileTriggerHost Host(TestEngine t) => t.Engine.Hosts.OfType<FileTriggerHost>().Single();

    /// <summary>Recorded files of a trigger (without the first-sight marker), path → size.</summary>
    private static async Task<Dictionary<string, long>> StateAsync(TestEngine t, string job) =>
        (await t.Store.GetFileStateAsync(await TriggerIdAsync(t, job), CancellationToken.None))
            .Where(f => f.Size != FileWatch.MarkerSize)
            .ToDictionary(f => f.Path, f => f.Size);

    /// <summary>Waits until the trigger has taken its first look (the marker row is stored).</summary>
    private static async Task WaitForFirstSightAsync(TestEngine t, params string[] jobs)
    {
        foreach (var job in jobs)
        {
            var id = await TriggerIdAsync(t, job);
            await Eventually.TrueAsync(async () => (await t.Store.GetFileStateAsync(id, CancellationToken.None)).Any(f => f.Size == FileWatch.MarkerSize),
                $"first sight of {job}'s directory");
        }
    }

    private static async Task<List<RunRecord>> RunsAsync(TestEngine t, string job) =>
        [.. (await t.Store.ListRunsAsync(new RunQuery { JobName = job, Limit = 1000 }, CancellationToken.None)).OrderBy(r => r.Id)];

    private static async Task<List<JournalEntry>> IgnoredAsync(TestEngine t, string job) =>
        [.. (await t.Store.ListJournalAsync(new JournalQuery { JobName = job }, CancellationToken.None)).Where(e => e.Kind == "file.ignored")];

    private static JsonElement Payload(RunRecord run) => JsonDocument.Parse(run.Payload!).RootElement;

    private static string Change(RunRecord run) => Payload(run).GetProperty("change").GetString()!;

    private static string RelativePath(RunRecord run) => Payload(run).GetProperty("relativePath").GetString()!;

    /// <summary>Moves the manual clock in small steps until the condition holds (OS notifications are real and asynchronous).</summary>
    private static Task AdvanceUntilAsync(TestEngine t, Func<Task<bool>> condition, string what, TimeSpan? step = null) =>
        Eventually.TrueAsync(async () =>
        {
            t.Clock.Advance(step ?? TimeSpan.FromMilliseconds(500));
            return await condition();
        }, what);

    private static Task AdvanceUntilRunsAsync(TestEngine t, string job, int count) =>
        AdvanceUntilAsync(t, async () => (await RunsAsync(t, job)).Count >= count, $"{count} run(s) of {job}");

    /// <summary>Lets every run finish, then moves the clock past the loop rule's notification grace, so the next change is nobody's.</summary>
    private static async Task QuietAsync(TestEngine t)
    {
        await Eventually.TrueAsync(async () => (await t.Store.ListRunsAsync(new RunQuery { Limit = 1000 }, CancellationToken.None)).All(r => r.State.IsFinished()),
            "every run to finish");
        t.Clock.Advance(TimeSpan.FromSeconds(3));
    }

    private static string Mtime(string path) =>
        FileScanner.Truncate(File.GetLastWriteTimeUtc(path)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Appends six chunks of 1000 bytes, a little apart, moving the clock by less than the settle time after each.</summary>
    private static async Task WriteSlowlyAsync(TestEngine t, string path, Action? afterFirstChunk = null)
    {
        var chunk = new byte[1000];
        for (var i = 0; i < 6; i++)
        {
            await using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write))
            {
                await stream.WriteAsync(chunk);
            }
            if (i == 0)
            {
                afterFirstChunk?.Invoke();
            }
            await Task.Delay(30); // A slow writer (real time), so the watcher looks at the file between chunks.
            t.Clock.Advance(Settle / 2);
        }
    }

    [Fact]
    public void The_yaml_file_trigger_reads_every_key()
    {
        var config = Kairos.Configuration.YamlConfigLoader.Load("""
            jobs:
              ingest:
                handler: echo
                triggers:
                  - file: /data/inbox
                    include: ["*.csv", "in/**/*.json"]
                    exclude: "**/*.tmp"
                    recursive: false
                    events: [created, deleted, renamed]
                    settle: 500ms
                    reconcile: 10m
                    allowConcurrent: false
                    ignoreOwnChanges: false
            """, "t.yaml");

        var spec = Assert.IsType<FileTriggerSpec>(config.Jobs.Single().Triggers.Single());
        Assert.Equal("/data/inbox", spec.Path);
        Assert.Equal(["*.csv", "in/**/*.json"], spec.Include);
        Assert.Equal(["**/*.tmp"], spec.Exclude);
        Assert.Equal([FileChangeKind.Created, FileChangeKind.Deleted, FileChangeKind.Renamed], spec.Events);
        Assert.Equal((false, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(10), false, false),
            (spec.Recursive, spec.Settle, spec.Reconcile, spec.AllowConcurrent, spec.IgnoreOwnChanges));
        Assert.True(new FileTriggerSpec("/x").IgnoreOwnChanges);
    }

    [Theory]
    [InlineData("**/*", "a.csv", true)]
    [InlineData("**/*", ".hidden", true)]
    [InlineData("**/*", "deep/er/a.csv", true)]
    [InlineData("*.csv", "a.csv", true)]
    [InlineData("*.csv", "sub/a.csv", false)]
    [InlineData("**/*.csv", "sub/a.csv", true)]
    [InlineData("**/*.csv", "a.csv", true)]
    [InlineData("in/**/*.json", "in/a/b/c.json", true)]
    [InlineData("in/**/*.json", "out/c.json", false)]
    [InlineData("in/**/*.json", "in/c.json", true)]
    [InlineData("in/**", "in/a/b", true)]
    [InlineData("./in/*.json", "in/c.json", true)]
    [InlineData("report-?.txt", "report-1.txt", true)]
    [InlineData("report-?.txt", "report-10.txt", false)]
    [InlineData("[ab].txt", "b.txt", true)]
    [InlineData("[!ab].txt", "b.txt", false)]
    [InlineData("[a-c]*.txt", "c9.txt", true)]
    [InlineData("*.{csv,tsv}", "a.tsv", true)]
    [InlineData("*.{csv,tsv}", "a.txt", false)]
    [InlineData("*.csv", "a.csv.tmp", false)]
    [InlineData("a+b(1).csv", "a+b(1).csv", true)]
    public void Globs_match_paths_relative_to_the_watched_directory(string include, string relativePath, bool matches)
    {
        var filter = new FilePathFilter([include], ["**/skip*"], recursive: true);
        Assert.Equal(matches, filter.Matches(relativePath));
        Assert.False(filter.Matches("sub/skip.csv"));
        Assert.False(filter.Matches("skip.csv"));
        Assert.False(new FilePathFilter([include], [], recursive: false).Matches("sub/a.csv"));
        if (OperatingSystem.IsLinux())
        {
            Assert.False(new FilePathFilter(["*.CSV"], [], recursive: true).Matches("a.csv"));
        }
    }

    [Fact]
    public async Task A_file_written_slowly_in_chunks_fires_once_after_it_settles_with_its_full_size()
    {
        using var dir = new TempDirectory();
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(FileJob("ingest", dir.Path));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "ingest");

        // Seen through notifications.
        await WriteSlowlyAsync(t, dir.File("big.bin"));
        Assert.Empty(await RunsAsync(t, "ingest"));
        await AdvanceUntilRunsAsync(t, "ingest", 1);
        var run = Assert.Single(await RunsAsync(t, "ingest"));
        Assert.Equal("created", Change(run));
        Assert.Equal("big.bin", RelativePath(run));
        Assert.Equal(6000, Payload(run).GetProperty("size").GetInt64());
        Assert.Equal(TriggerSources.File, run.Source);
        Assert.NotNull(run.TriggerId);

        // Seen only by a scan after the first chunk: the look again when the settle time is up sees it grew.
        await QuietAsync(t);
        Host(t).DropNotifications = true;
        await WriteSlowlyAsync(t, dir.File("scanned.bin"), afterFirstChunk: Host(t).ReconcileNow);
        await AdvanceUntilRunsAsync(t, "ingest", 2);
        var scanned = (await RunsAsync(t, "ingest"))[1];
        Assert.Equal("scanned.bin", RelativePath(scanned));
        Assert.Equal(6000, Payload(scanned).GetProperty("size").GetInt64());

        // A later file fires after either would have fired again, had it: neither did.
        Host(t).DropNotifications = false;
        await QuietAsync(t);
        await File.WriteAllTextAsync(dir.File("later.txt"), "x");
        await AdvanceUntilRunsAsync(t, "ingest", 3);
        Assert.Equal(["big.bin", "scanned.bin", "later.txt"], (await RunsAsync(t, "ingest")).Select(RelativePath));
    }

    [Fact]
    public async Task Each_kind_of_change_fires_one_run_with_its_payload_when_listed_and_none_when_not()
    {
        using var dir = new TempDirectory();
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(FileJob("all", dir.Path, s => s with { Events = [FileChangeKind.Created, FileChangeKind.Changed, FileChangeKind.Deleted, FileChangeKind.Renamed] }));
        await t.Engine.SaveJobAsync(FileJob("created-only", dir.Path, s => s with { Events = [FileChangeKind.Created] }));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "all", "created-only");
        var f = dir.File("f.txt");
        var g = dir.File("g.txt");

        await File.WriteAllTextAsync(f, "abc");
        await AdvanceUntilAsync(t, async () => (await RunsAsync(t, "all")).Count == 1 && (await RunsAsync(t, "created-only")).Count == 1, "created");
        var created = Payload((await RunsAsync(t, "all"))[0]);
        Assert.Equal(f, created.GetProperty("path").GetString());
        Assert.Equal("f.txt", created.GetProperty("relativePath").GetString());
        Assert.Equal("created", created.GetProperty("change").GetString());
        Assert.Equal(3, created.GetProperty("size").GetInt64());
        Assert.Equal(Mtime(f), created.GetProperty("mtime").GetString());
        Assert.False(created.TryGetProperty("oldPath", out _));

        await QuietAsync(t);
        await File.AppendAllTextAsync(f, "def");
        await AdvanceUntilAsync(t, async () => (await RunsAsync(t, "all")).Count == 2 && (await StateAsync(t, "created-only")).GetValueOrDefault(f) == 6, "changed");
        var changed = Payload((await RunsAsync(t, "all"))[1]);
        Assert.Equal("changed", changed.GetProperty("change").GetString());
        Assert.Equal(6, changed.GetProperty("size").GetInt64());
        Assert.Equal(Mtime(f), changed.GetProperty("mtime").GetString());

        await QuietAsync(t);
        var mtime = Mtime(f);
        File.Move(f, g);
        await AdvanceUntilAsync(t, async () => (await RunsAsync(t, "all")).Count == 3 && (await StateAsync(t, "created-only")).Keys.SequenceEqual([g]), "renamed");
        var renamed = Payload((await RunsAsync(t, "all"))[2]);
        Assert.Equal("renamed", renamed.GetProperty("change").GetString());
        Assert.Equal(g, renamed.GetProperty("path").GetString());
        Assert.Equal(f, renamed.GetProperty("oldPath").GetString());
        Assert.Equal("f.txt", renamed.GetProperty("oldRelativePath").GetString());
        Assert.Equal(6, renamed.GetProperty("size").GetInt64());
        Assert.Equal(mtime, renamed.GetProperty("mtime").GetString());

        await QuietAsync(t);
        File.Delete(g);
        await AdvanceUntilAsync(t, async () => (await RunsAsync(t, "all")).Count == 4 && (await StateAsync(t, "created-only")).Count == 0, "deleted");
        var deleted = Payload((await RunsAsync(t, "all"))[3]);
        Assert.Equal("deleted", deleted.GetProperty("change").GetString());
        Assert.Equal(g, deleted.GetProperty("path").GetString());
        Assert.Equal(6, deleted.GetProperty("size").GetInt64()); // The last recorded size.

        Assert.Equal(["created", "changed", "renamed", "deleted"], (await RunsAsync(t, "all")).Select(Change));
        Assert.Equal(["created"], (await RunsAsync(t, "created-only")).Select(Change));
    }

    [Fact]
    public async Task A_directory_moved_within_the_tree_renames_each_of_its_files()
    {
        using var dir = new TempDirectory();
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(FileJob("tree", dir.Path, s => s with { Events = [FileChangeKind.Created, FileChangeKind.Deleted, FileChangeKind.Renamed] }));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "tree");

        Directory.CreateDirectory(dir.File("sub"));
        await File.WriteAllTextAsync(dir.File("sub/one.txt"), "1");
        await File.WriteAllTextAsync(dir.File("sub/two.txt"), "22");
        await AdvanceUntilRunsAsync(t, "tree", 2);
        await QuietAsync(t);
        Directory.Move(dir.File("sub"), dir.File("moved"));
        await AdvanceUntilRunsAsync(t, "tree", 4);

        var moves = (await RunsAsync(t, "tree")).Skip(2).Select(Payload)
            .Select(p => (p.GetProperty("change").GetString(), p.GetProperty("oldRelativePath").GetString(), p.GetProperty("relativePath").GetString()))
            .Order().ToList();
        Assert.Equal([("renamed", "sub/one.txt", "moved/one.txt"), ("renamed", "sub/two.txt", "moved/two.txt")], moves);
    }

    [Fact]
    public async Task Include_and_exclude_globs_and_recursive_false_choose_the_files()
    {
        using var dir = new TempDirectory();
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(FileJob("globbed", dir.Path, s => s with { Include = ["*.csv", "in/**/*.json"], Exclude = ["**/skip*"] }));
        await t.Engine.SaveJobAsync(FileJob("flat", dir.Path, s => s with { Recursive = false }));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "globbed", "flat");

        Directory.CreateDirectory(dir.File("sub"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "in", "x"));
        foreach (var name in new[] { "a.csv", "a.txt", "skip.csv", "sub/b.csv", "in/x/c.json", "in/x/skip.json", "in/d.csv" })
        {
            await File.WriteAllTextAsync(Path.Combine(dir.Path, name), name);
        }
        await AdvanceUntilAsync(t, async () => (await RunsAsync(t, "globbed")).Count >= 2 && (await RunsAsync(t, "flat")).Count >= 3, "the matching files");

        // A full scan finds nothing more, and a last file fires after anything that would have.
        Host(t).ReconcileNow();
        await QuietAsync(t);
        await File.WriteAllTextAsync(dir.File("z.csv"), "z");
        await AdvanceUntilAsync(t, async () => (await RunsAsync(t, "globbed")).Count >= 3 && (await RunsAsync(t, "flat")).Count >= 4, "the last file");

        Assert.Equal(["a.csv", "in/x/c.json", "z.csv"], (await RunsAsync(t, "globbed")).Select(RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(["a.csv", "a.txt", "skip.csv", "z.csv"], (await RunsAsync(t, "flat")).Select(RelativePath).Order(StringComparer.Ordinal));
    }

    /// <summary>What the job of the loop test does: writes a file into the watched directory, then maybe waits to be let go.</summary>
    private sealed class Writer
    {
        public string Directory = "";
        public TimeProvider? Clock;
        public bool SetMtimeToEngineClock;
        public TaskCompletionSource? Hold;

        public async Task<JsonNode?> RunAsync(Kairos.Executors.JobContext context)
        {
            var path = Path.Combine(Directory, $"out-{context.RunId}.txt");
            await File.WriteAllTextAsync(path, "output of run " + context.RunId);
            if (SetMtimeToEngineClock)
            {
                // In production file mtimes and the engine clock are the same clock; here the engine clock is manual.
                File.SetLastWriteTimeUtc(path, Clock!.GetUtcNow().UtcDateTime);
            }
            if (Hold is { } hold)
            {
                await hold.Task;
            }
            return null;
        }
    }

    [Fact]
    public async Task A_file_the_job_writes_into_the_watched_directory_does_not_fire_it_again()
    {
        using var dir = new TempDirectory();
        var writer = new Writer { Directory = dir.Path, Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var t = await TestEngine.CreateAsync(s => s.AddHandler("writer", writer.RunAsync), start: Start);
        writer.Clock = t.Clock;
        await t.Engine.SaveJobAsync(FileJob("loop", dir.Path, handler: "writer"));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "loop");

        // Seen live: the run writes out-1.txt and is still running when it settles.
        await File.WriteAllTextAsync(dir.File("in.txt"), "input");
        await AdvanceUntilRunsAsync(t, "loop", 1);
        var first = (await RunsAsync(t, "loop"))[0];
        var out1 = dir.File($"out-{first.Id}.txt");
        await AdvanceUntilAsync(t, async () => (await StateAsync(t, "loop")).ContainsKey(out1), "the run's own file to be recorded");
        writer.Hold.SetResult();
        await t.WaitForStateAsync(first.Id, RunState.Succeeded);
        Assert.Single(await RunsAsync(t, "loop"));

        // Seen later, by a scan (as after a restart): the mtime lies inside the finished run's window.
        writer.Hold = null;
        writer.SetMtimeToEngineClock = true;
        Host(t).DropNotifications = true;
        await QuietAsync(t);
        await File.WriteAllTextAsync(dir.File("in2.txt"), "input 2");
        Host(t).ReconcileNow();
        await AdvanceUntilRunsAsync(t, "loop", 2);
        var second = (await RunsAsync(t, "loop"))[1];
        Assert.Equal("in2.txt", RelativePath(second));
        await t.WaitForStateAsync(second.Id, RunState.Succeeded);
        var out2 = dir.File($"out-{second.Id}.txt");
        Host(t).ReconcileNow();
        await AdvanceUntilAsync(t, async () => (await StateAsync(t, "loop")).ContainsKey(out2), "the second run's file to be recorded");

        Assert.Equal(["in.txt", "in2.txt"], (await RunsAsync(t, "loop")).Select(RelativePath));
        await Eventually.TrueAsync(async () => (await IgnoredAsync(t, "loop")).Count == 2, "both files to be journaled as ignored");
        var ignored = await IgnoredAsync(t, "loop");
        Assert.Contains(out1, ignored[0].Data);
        Assert.Contains($"\"runId\":{first.Id}", ignored[0].Data);
        Assert.Contains(out2, ignored[1].Data);
        Assert.Contains($"\"runId\":{second.Id}", ignored[1].Data);
    }

    [Fact]
    public async Task Without_allowConcurrent_a_change_whose_path_size_and_mtime_are_already_queued_is_dropped()
    {
        using var dir = new TempDirectory();
        // A queue that starts nothing keeps the runs queued.
        await using var t = await TestEngine.CreateAsync(configure: o => o.QueueLimits["held"] = 0, start: Start);
        await t.Engine.SaveJobAsync(FileJob("once", dir.Path, s => s with { AllowConcurrent = false }, job: j => j with { Queue = "held" }));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "once");
        var path = dir.File("a.txt");
        var mtime = new DateTime(2025, 6, 1, 12, 0, 0, 123, DateTimeKind.Utc);

        await File.WriteAllTextAsync(path, "hello");
        File.SetLastWriteTimeUtc(path, mtime);
        await AdvanceUntilRunsAsync(t, "once", 1);
        await File.WriteAllTextAsync(path, "HELLO WORLD");
        await AdvanceUntilRunsAsync(t, "once", 2);

        // Back to the first content and mtime: that state is already queued, so it is dropped.
        await File.WriteAllTextAsync(path, "hello");
        File.SetLastWriteTimeUtc(path, mtime);
        await AdvanceUntilAsync(t, async () => (await StateAsync(t, "once")).GetValueOrDefault(path) == 5, "the state to be recorded again");

        var runs = await RunsAsync(t, "once");
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunState.Queued, r.State));
        Assert.Equal(["created", "changed"], runs.Select(Change));
        Assert.Contains("run.deduplicated", await t.JournalKindsAsync(runs[0].Id));
    }

    [Fact]
    public async Task Changes_made_while_the_engine_was_down_fire_exactly_once_after_a_restart()
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        var database = data.File("kairos.db");
        var job = FileJob("sync", dir.Path, s => s with { Events = [FileChangeKind.Created, FileChangeKind.Changed, FileChangeKind.Deleted, FileChangeKind.Renamed] });
        await File.WriteAllTextAsync(dir.File("a.txt"), "a");
        await File.WriteAllTextAsync(dir.File("b.txt"), "bb");
        await File.WriteAllTextAsync(dir.File("c.txt"), "ccc");

        await using (var first = await TestEngine.CreateAsync(start: Start, databasePath: database))
        {
            await first.Engine.SaveJobAsync(job);
            await first.StartAsync();
            await WaitForFirstSightAsync(first, "sync");
            // First sight: the files already there are recorded, not fired.
            Assert.Equal(3, (await StateAsync(first, "sync")).Count);
            Assert.Empty(await RunsAsync(first, "sync"));
        }

        await File.WriteAllTextAsync(dir.File("a.txt"), "a changed while down");
        File.Delete(dir.File("b.txt"));
        File.Move(dir.File("c.txt"), dir.File("c2.txt")); // Found as a rename: same size and mtime, one gone, one new.
        await File.WriteAllTextAsync(dir.File("d.txt"), "dddd");

        await using var second = await TestEngine.CreateAsync(start: Start.AddHours(1), databasePath: database);
        await second.Engine.SaveJobAsync(job); // Same definition: same trigger, same stored state.
        await second.StartAsync();
        await AdvanceUntilRunsAsync(second, "sync", 4);
        await QuietAsync(second);
        await File.WriteAllTextAsync(dir.File("e.txt"), "e");
        await AdvanceUntilRunsAsync(second, "sync", 5);

        var runs = (await RunsAsync(second, "sync")).Select(r => (RelativePath(r), Change(r))).ToList();
        Assert.Equal([("a.txt", "changed"), ("b.txt", "deleted"), ("c2.txt", "renamed"), ("d.txt", "created")], runs.Take(4).Order());
        Assert.Equal(("e.txt", "created"), runs[4]);
        var renamed = Payload((await RunsAsync(second, "sync")).Single(r => Change(r) == "renamed"));
        Assert.Equal(dir.File("c.txt"), renamed.GetProperty("oldPath").GetString());
        Assert.Equal(["a.txt", "c2.txt", "d.txt", "e.txt"], (await StateAsync(second, "sync")).Keys.Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lost_notifications_are_caught_by_the_periodic_reconcile_and_at_once_after_an_overflow()
    {
        using var dir = new TempDirectory();
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(FileJob("periodic", dir.Path, s => s with { Reconcile = TimeSpan.FromSeconds(10) }));
        await t.Engine.SaveJobAsync(FileJob("overflow", dir.Path, s => s with { Reconcile = TimeSpan.FromHours(1) }));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "periodic", "overflow");
        var started = t.Clock.GetUtcNow();
        Host(t).DropNotifications = true; // The OS tells us nothing from here on.

        await File.WriteAllTextAsync(dir.File("missed.txt"), "x");
        await AdvanceUntilRunsAsync(t, "periodic", 1);
        Assert.Empty(await RunsAsync(t, "overflow")); // Its scan is an hour away.

        Host(t).SimulateOverflow();
        await AdvanceUntilRunsAsync(t, "overflow", 1);
        Assert.True(t.Clock.GetUtcNow() - started < TimeSpan.FromHours(1), "found by the scan an overflow starts, not the hourly one");
        Assert.Equal("missed.txt", RelativePath((await RunsAsync(t, "periodic"))[0]));
        Assert.Equal("missed.txt", RelativePath((await RunsAsync(t, "overflow"))[0]));
    }

    [Fact]
    public async Task A_directory_missing_at_start_is_watched_once_it_appears_and_again_after_it_is_recreated()
    {
        using var parent = new TempDirectory();
        var inbox = Path.Combine(parent.Path, "later", "inbox");
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(FileJob("inbox", inbox));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "inbox"); // Seen missing, so seen empty.

        Directory.CreateDirectory(inbox);
        await File.WriteAllTextAsync(Path.Combine(inbox, "x.txt"), "x");
        await AdvanceUntilRunsAsync(t, "inbox", 1);
        await QuietAsync(t);
        await File.WriteAllTextAsync(Path.Combine(inbox, "y.txt"), "y"); // Now through notifications.
        await AdvanceUntilRunsAsync(t, "inbox", 2);

        Directory.Delete(inbox, recursive: true);
        await AdvanceUntilAsync(t, async () => (await StateAsync(t, "inbox")).Count == 0, "the deleted files to be recorded as gone");
        Directory.CreateDirectory(inbox);
        await File.WriteAllTextAsync(Path.Combine(inbox, "z.txt"), "z");
        await AdvanceUntilRunsAsync(t, "inbox", 3);

        Assert.Equal(["x.txt", "y.txt", "z.txt"], (await RunsAsync(t, "inbox")).Select(RelativePath));
        Assert.All(await RunsAsync(t, "inbox"), r => Assert.Equal("created", Change(r)));
    }

    [Fact]
    public async Task A_paused_job_records_changes_without_running_and_fires_again_once_resumed()
    {
        using var dir = new TempDirectory();
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(FileJob("paused", dir.Path));
        await t.StartAsync();
        await WaitForFirstSightAsync(t, "paused");
        await t.Engine.SetPausedAsync("paused", true);

        await File.WriteAllTextAsync(dir.File("while-paused.txt"), "x");
        await AdvanceUntilAsync(t, async () => (await StateAsync(t, "paused")).ContainsKey(dir.File("while-paused.txt")), "the change to be recorded");
        await Eventually.TrueAsync(async () => (await IgnoredAsync(t, "paused")).Count == 1, "the change to be journaled as ignored");
        Assert.Empty(await RunsAsync(t, "paused"));
        Assert.Contains("paused", (await IgnoredAsync(t, "paused"))[0].Data);

        await t.Engine.SetPausedAsync("paused", false);
        await File.WriteAllTextAsync(dir.File("after.txt"), "y");
        await AdvanceUntilRunsAsync(t, "paused", 1);
        Assert.Equal(["after.txt"], (await RunsAsync(t, "paused")).Select(RelativePath));
    }
}
