using System.Net;
using System.Net.Http.Json;
using System.Text;
using Kairos.Secrets;
using Kairos.Tests.Executors;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Access;

/// <summary>Named secrets: encrypted at rest, used in headers and env, never shown back, masked when a job prints one.</summary>
public sealed class SecretsTests
{
    private const string Value = "s3cr3t-token-value";

    [Fact]
    public async Task A_stored_secret_is_encrypted_in_the_database_and_no_answer_or_journal_entry_shows_it()
    {
        using var directory = new TempDirectory();
        await using (var server = await InProcessServer.StartAsync("jobs:\n  nap:\n    handler: echo\n", directory: directory))
        {
            using var set = await server.Http.PutAsJsonAsync("/api/secrets/token", new { value = Value });
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);

            var listed = await server.Http.GetStringAsync("/api/secrets");
            Assert.Contains("\"token\"", listed);
            Assert.DoesNotContain(Value, listed);
            var journal = await server.Client.ListJournalAsync(new Kairos.Storage.JournalQuery());
            Assert.Contains(journal, e => e.Kind == "secret.created");
            Assert.DoesNotContain(journal, e => e.Data?.Contains(Value) == true);
        }
        foreach (var file in Directory.GetFiles(directory.Path, "kairos.db*").Where(f => !f.EndsWith(".key", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(Value, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        }
    }

    [Fact]
    public async Task A_command_gets_the_secret_in_its_env_and_its_log_and_output_show_it_masked()
    {
        await using var server = await InProcessServer.StartAsync("""
            jobs:
              leaky:
                command:
                  argv: [/bin/sh, -c, 'echo "token is $TOKEN"; test "$TOKEN" = s3cr3t-token-value']
                  env: { TOKEN: "{{secrets.token}}" }
            """);
        await server.Client.SetSecretAsync("token", Value);

        var run = await server.Client.RunNowAsync("leaky");
        var finished = await server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));
        var log = await server.Client.GetRunLogAsync(run.RunId);

        Assert.Equal(Kairos.Model.RunState.Succeeded, finished!.State); // the process saw the real value
        Assert.Contains(log, l => l.Text == "token is ***");
        Assert.DoesNotContain(log, l => l.Text.Contains(Value, StringComparison.Ordinal));
        Assert.DoesNotContain(Value, finished.Output ?? "");
        using var shown = await server.Http.GetAsync($"/api/runs/{run.RunId}");
        Assert.DoesNotContain(Value, await shown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_http_job_sends_the_secret_in_a_header_and_an_echoing_answer_is_stored_masked()
    {
        string? received = null;
        await using var echo = new TestHttpServer(async c =>
        {
            received = c.Request.Headers["Authorization"];
            await TestHttpServer.RespondAsync(c, 200, $$"""{"youSent":"{{received}}"}""", "application/json");
        });
        await using var server = await InProcessServer.StartAsync($$$"""
            engine:
              outboundHttp: { allow: [127.0.0.1] }
            secrets:
              token: { env: KAIROS_TEST_SECRET_FOR_HTTP }
            jobs:
              call:
                http: { url: "{{{echo.BaseUrl}}}/", headers: { Authorization: "Bearer {{secrets.token}}" } }
            """);
        Environment.SetEnvironmentVariable("KAIROS_TEST_SECRET_FOR_HTTP", Value);
        try
        {
            var run = await server.Client.RunNowAsync("call");
            var finished = await server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));

            Assert.Equal(Kairos.Model.RunState.Succeeded, finished!.State);
            Assert.Equal($"Bearer {Value}", received);
            Assert.Contains("Bearer ***", finished.Output);
            Assert.DoesNotContain(Value, finished.Output);
            Assert.Contains(await server.Client.ListSecretsAsync(), s => s.Name == "token" && s.Source == "env:KAIROS_TEST_SECRET_FOR_HTTP");
        }
        finally
        {
            Environment.SetEnvironmentVariable("KAIROS_TEST_SECRET_FOR_HTTP", null);
        }
    }

    [Fact]
    public async Task A_secret_where_it_would_be_shown_is_refused_and_an_undefined_one_fails_the_run_for_good()
    {
        await using var server = await InProcessServer.StartAsync("""
            jobs:
              missing:
                http: { url: "http://kairos.invalid/", headers: { X-Key: "{{secrets.nope}}" } }
            """);

        using var inUrl = await server.Http.PutAsJsonAsync("/api/jobs/shown", new { http = new { method = "GET", url = "http://kairos.invalid/?key={{secrets.token}}" } });
        var run = await server.Client.RunNowAsync("missing");
        var finished = await server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.BadRequest, inUrl.StatusCode);
        Assert.Contains("may only be used in HTTP header values and command environment values", await inUrl.Content.ReadAsStringAsync());
        Assert.Equal(Kairos.Model.RunState.Dead, finished!.State);
        Assert.Equal(1, finished.Attempt);
        Assert.Contains("secret 'nope' is not defined", finished.Error);
    }

    [Fact]
    public async Task A_webhook_verifies_with_a_named_secret_and_refuses_while_it_is_not_set()
    {
        await using var server = await InProcessServer.StartAsync("""
            webhooks:
              deploy: { verify: bearer, secret: "{{secrets.hook-token}}" }
            jobs:
              on-deploy:
                handler: echo
                triggers: [{ webhook: deploy }]
            """);
        async Task<HttpStatusCode> DeliverAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/deploy") { Content = JsonContent.Create(new { v = 1 }) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await server.Http.SendAsync(request);
            return response.StatusCode;
        }

        var beforeSet = await DeliverAsync(Value);
        await server.Client.SetSecretAsync("hook-token", Value);

        Assert.Equal(HttpStatusCode.Unauthorized, beforeSet);
        Assert.Equal(HttpStatusCode.Accepted, await DeliverAsync(Value));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync("guess"));
        Assert.Contains("the secret hook-token", await server.Http.GetStringAsync("/api/webhooks/deploy"));
    }

    [Fact]
    public void A_value_decrypts_only_under_its_own_name_and_an_old_key_still_decrypts_after_rotation()
    {
        var oldKey = SecretCipher.NewKey();
        var newKey = SecretCipher.NewKey();
        var before = new SecretCipher([oldKey]);
        var (keyId, ciphertext) = before.Encrypt("token", Value);

        var rotated = new SecretCipher([newKey, oldKey]);

        Assert.Equal(Value, rotated.Decrypt("token", keyId, ciphertext));
        Assert.NotEqual(keyId, rotated.CurrentKeyId);
        // Both are a 409 over the API and "secret unavailable" for a run or a webhook, never a 500.
        Assert.Contains("altered or belongs to another name", Assert.Throws<KairosConflictException>(() => rotated.Decrypt("other", keyId, ciphertext)).Message);
        Assert.Contains("not among the configured secret keys", Assert.Throws<KairosConflictException>(() => new SecretCipher([newKey]).Decrypt("token", keyId, ciphertext)).Message);
    }
}
