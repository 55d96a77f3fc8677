using System.Net;
using System.Net.Http.Json;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Access;

/// <summary>A job that prints a secret JSON-escaped or in base64 stores it masked; a secret too short to mask is refused.</summary>
public sealed class SecretMaskingTests
{
    private const string Value = "to\"ken\\with-quotes";

    [Fact]
    public async Task A_command_printing_a_secret_json_escaped_or_in_base64_has_it_masked_in_its_log()
    {
        await using var server = await InProcessServer.StartAsync("""
            jobs:
              leaky:
                command:
                  argv:
                    - /bin/sh
                    - -c
                    - |
                      printf '{"token":"%s"}\n' "$(printf '%s' "$TOKEN" | sed 's/\\/\\\\/g; s/"/\\"/g')"
                      printf 'basic %s\n' "$(printf '%s' "$TOKEN" | base64)"
                  env: { TOKEN: "{{secrets.token}}" }
            """);
        await server.Client.SetSecretAsync("token", Value);

        var run = await server.Client.RunNowAsync("leaky");
        var finished = await server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));
        var log = (await server.Client.GetRunLogAsync(run.RunId)).Select(l => l.Text).ToList();

        Assert.Equal(Kairos.Model.RunState.Succeeded, finished!.State);
        Assert.Contains("""{"token":"***"}""", log);
        Assert.Contains("basic ***", log);
    }

    [Fact]
    public async Task A_secret_shorter_than_four_characters_is_refused_saying_why()
    {
        await using var server = await InProcessServer.StartAsync("jobs: {}\n");

        using var response = await server.Http.PutAsJsonAsync("/api/secrets/pin", new { value = "123" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("at least 4 characters", text);
        Assert.Contains("could not be masked", text);
        Assert.Empty(await server.Client.ListSecretsAsync());
    }
}
