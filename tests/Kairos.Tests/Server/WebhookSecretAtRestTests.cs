using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Kairos.Webhooks;
using Microsoft.Data.Sqlite;

namespace Kairos.Tests.Server;

/// <summary>A webhook's literal secret is stored encrypted, opened only to check a delivery, and never returned.</summary>
public sealed class WebhookSecretAtRestTests : IDisposable
{
    private const string Secret = "literal-secret-at-rest-0123";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static string Yaml(string secret = Secret) => $$"""
        webhooks:
          push:
            verify: github
            secret: {{secret}}
        jobs:
          on-push:
            handler: echo
            triggers:
              - webhook: push
        """;

    private static HttpRequestMessage Signed(string path, string secret = Secret)
    {
        var body = Encoding.UTF8.GetBytes("""{"ref":"main"}""");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        return request;
    }

    private string StoredDefinition(string hook)
    {
        using var connection = new SqliteConnection($"Data Source={_directory.File("kairos.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT definition FROM webhooks WHERE name = $name";
        command.Parameters.AddWithValue("$name", hook);
        return (string)command.ExecuteScalar()!;
    }

    private static Task StoreAsIsAsync(IKairosStore store, string hook, string definition) =>
        store.WriteAsync(async tx =>
        {
            await tx.UpsertWebhookAsync(hook, definition, TestEngine.DefaultStart);
            return true;
        }, CancellationToken.None);

    [Fact]
    public async Task A_literal_secret_from_yaml_or_the_api_is_stored_encrypted_verifies_deliveries_and_is_never_returned()
    {
        await using var server = await InProcessServer.StartAsync(Yaml(), directory: _directory);
        using var put = await server.Http.PutAsync("/api/webhooks/api-hook",
            new StringContent("""{"verify":"github","secret":"api-literal-secret-9876"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        foreach (var (hook, secret) in new[] { ("push", Secret), ("api-hook", "api-literal-secret-9876") })
        {
            var stored = StoredDefinition(hook);
            Assert.DoesNotContain(secret, stored);
            Assert.Contains("\"sealed\"", stored);
            var shown = await server.Http.GetStringAsync($"/api/webhooks/{hook}");
            Assert.DoesNotContain(secret, shown);
            Assert.DoesNotContain("sealed", shown);
        }
        Assert.DoesNotContain(Secret, await server.Http.GetStringAsync("/api/webhooks"));
        using var accepted = await server.Http.SendAsync(Signed("/hooks/push"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using var refused = await server.Http.SendAsync(Signed("/hooks/push", "wrong-secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_webhook_read_and_put_back_without_its_secret_keeps_the_stored_literal_one()
    {
        await using var server = await InProcessServer.StartAsync(Yaml(), directory: _directory);
        using var created = await server.Http.PutAsync("/api/webhooks/api-hook",
            new StringContent("""{"verify":"github","secret":"api-literal-secret-9876","replayWindow":"10m"}""", Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var sealedBefore = StoredDefinition("api-hook");
        using var job = await server.Http.PutAsync("/api/jobs/on-api-hook",
            new StringContent("""{"handler":"echo","triggers":[{"webhook":"api-hook"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, job.StatusCode);

        // What GET shows, changed and sent back: no secret in it.
        var shown = System.Text.Json.Nodes.JsonNode.Parse(await server.Http.GetStringAsync("/api/webhooks/api-hook"))!.AsObject();
        shown.Remove("name");
        shown.Remove("status");
        shown["replayWindow"] = "20m";
        using var put = await server.Http.PutAsync("/api/webhooks/api-hook", new StringContent(shown.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var hook = (await server.Client.GetWebhookAsync("api-hook"))!;
        Assert.Equal(TimeSpan.FromMinutes(20), hook.ReplayWindow);
        Assert.Contains(System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.Nodes.JsonObject>(sealedBefore)!["secret"]!["sealed"]!.GetValue<string>(), StoredDefinition("api-hook"));
        using var accepted = await server.Http.SendAsync(Signed("/hooks/api-hook", "api-literal-secret-9876"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        // Another source replaces it; verify: none drops it.
        using var env = await server.Http.PutAsync("/api/webhooks/api-hook", new StringContent("""{"verify":"github","secretEnv":"SOME_HOOK_SECRET"}""", Encoding.UTF8, "application/json"));
        Assert.Equal("SOME_HOOK_SECRET", (await server.Client.GetWebhookAsync("api-hook"))!.Secret?.EnvironmentVariable);
        using var none = await server.Http.PutAsync("/api/webhooks/api-hook", new StringContent("""{"verify":"none"}""", Encoding.UTF8, "application/json"));
        Assert.Null((await server.Client.GetWebhookAsync("api-hook"))!.Secret);
    }

    [Fact]
    public async Task Restarting_with_the_same_file_keeps_the_stored_ciphertext_and_journals_no_update()
    {
        await using (await InProcessServer.StartAsync(Yaml(), directory: _directory))
        {
        }
        var first = StoredDefinition("push");
        await using var server = await InProcessServer.StartAsync(Yaml(), directory: _directory);

        Assert.Equal(first, StoredDefinition("push"));
        var journal = await server.Engine.Store.ListJournalAsync(new JournalQuery(), CancellationToken.None);
        Assert.DoesNotContain(journal, e => e.Kind == "webhook.updated");
    }

    [Fact]
    public async Task A_plan_against_the_same_literal_secret_sees_the_sealed_hook_unchanged_and_a_new_value_as_an_update()
    {
        await using var server = await InProcessServer.StartAsync(Yaml(), directory: _directory);
        WebhookDefinition Hook(string secret) => new("push") { Verification = WebhookVerification.GitHub, Secret = SecretSource.Literal(secret) };

        var same = await server.Engine.ApplyAsync([], [Hook(Secret)], [], dryRun: true, CancellationToken.None);
        var changed = await server.Engine.ApplyAsync([], [Hook("another-secret-value")], [], dryRun: true, CancellationToken.None);

        Assert.Equal(ApplyAction.Unchanged, same.Changes.Single(c => c.Name == "push").Action);
        Assert.Equal(ApplyAction.Update, changed.Changes.Single(c => c.Name == "push").Action);
    }

    [Fact]
    public async Task A_plaintext_secret_stored_before_encryption_is_sealed_at_start_and_still_verifies()
    {
        await using (var before = await InProcessServer.StartAsync("jobs: {}\n", directory: _directory))
        {
            // As a database from before: the definition holds the literal as written.
            var legacy = JsonSerializer.Serialize(new WebhookDefinition("push") { Verification = WebhookVerification.GitHub, Secret = SecretSource.Literal(Secret) },
                KairosJson.Options);
            Assert.Contains(Secret, legacy);
            await StoreAsIsAsync(before.Engine.Store, "push", legacy);
        }
        await using var server = await InProcessServer.StartAsync("jobs: {}\n", directory: _directory);

        Assert.DoesNotContain(Secret, StoredDefinition("push"));
        Assert.Contains("\"sealed\"", StoredDefinition("push"));
        await server.Engine.SaveJobAsync(new JobDefinition { Name = "on-push", Executor = new HandlerExecutorSpec("echo"), Triggers = [new WebhookTriggerSpec("push")] });
        using var accepted = await server.Http.SendAsync(Signed("/hooks/push"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task Without_a_secret_key_a_literal_secret_is_refused_naming_the_alternatives_and_a_stored_plaintext_one_still_works()
    {
        await using var t = await TestEngine.CreateAsync();
        var hook = new WebhookDefinition("push") { Verification = WebhookVerification.GitHub, Secret = SecretSource.Literal(Secret) };

        var error = await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.SaveWebhookAsync(hook));
        foreach (var part in new[] { "no secret key is configured", "secretEnv", "{{secrets.NAME}}", "KAIROS_SECRET_KEY" })
        {
            Assert.Contains(part, error.Message);
        }
        Assert.Null(await t.Store.GetWebhookAsync("push", CancellationToken.None));

        await StoreAsIsAsync(t.Store, "push", JsonSerializer.Serialize(hook, KairosJson.Options));
        var stored = (await t.Store.GetWebhookAsync("push", CancellationToken.None))!;
        Assert.Equal(Secret, await t.Client.ResolveWebhookSecretAsync(stored));
    }

    [Fact]
    public async Task A_sealed_secret_opens_only_for_its_own_hook_and_rotation_reseals_it_under_the_new_key()
    {
        var oldKey = Kairos.Secrets.SecretCipher.NewKey();
        var newKey = Kairos.Secrets.SecretCipher.NewKey();
        var database = _directory.File("rotate.db");
        string sealedBefore;
        await using (var t = await TestEngine.CreateAsync(configure: o => o.SecretKeys.Add(oldKey), databasePath: database))
        {
            await t.Engine.SaveWebhookAsync(new WebhookDefinition("a") { Verification = WebhookVerification.GitHub, Secret = SecretSource.Literal(Secret) });
            var a = (await t.Store.GetWebhookAsync("a", CancellationToken.None))!;
            sealedBefore = a.Secret!.Sealed!;
            Assert.Null(a.Secret.Value);
            Assert.Null(await t.Client.ResolveWebhookSecretAsync(a with { Name = "b" })); // Copied into another hook: does not open.
        }
        await using (var t = await TestEngine.CreateAsync(configure: o => o.SecretKeys.AddRange([newKey, oldKey]), databasePath: database))
        {
            Assert.Equal(1, await t.Client.RotateSecretsAsync());
            var a = (await t.Store.GetWebhookAsync("a", CancellationToken.None))!;
            Assert.NotEqual(sealedBefore, a.Secret!.Sealed);
        }
        await using (var t = await TestEngine.CreateAsync(configure: o => o.SecretKeys.Add(newKey), databasePath: database))
        {
            Assert.Equal(Secret, await t.Client.ResolveWebhookSecretAsync((await t.Store.GetWebhookAsync("a", CancellationToken.None))!));
        }
    }
}
