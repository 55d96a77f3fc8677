using Kairos.Configuration;
using Kairos.Model;

namespace Kairos.Tests.Configuration;

/// <summary><c>notify:</c> on a job in YAML: the forms it takes, and each mistake at its line and column.</summary>
public sealed class NotificationConfigTests
{
    private static string Job(string notify) => "jobs:\n  a:\n    handler: echo\n    notify:\n" + notify;

    private static ConfigError FailsOnce(string yaml) =>
        Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "test.yaml")).Errors);

    [Fact]
    public void One_outcome_or_a_list_an_event_or_a_request_with_a_json_body()
    {
        var config = YamlConfigLoader.Load(Job("""
                  - on: dead
                    event: a.down
                  - on: [failed, succeeded, cancelled]
                    http:
                      url: https://hooks.example/kairos/{{run.id}}
                      headers: { Authorization: "Bearer {{secrets.hook}}" }
                      body: { run: "{{run.output}}", text: "{{run.job}} ended {{run.state}}" }
            """), "test.yaml");

        var notify = config.Jobs.Single().Notify;
        Assert.Equal([NotifyOn.Dead], notify[0].On);
        Assert.Equal("a.down", notify[0].Event);
        Assert.Equal([NotifyOn.Failed, NotifyOn.Succeeded, NotifyOn.Cancelled], notify[1].On);
        Assert.Equal("POST", notify[1].Http!.Method);
        Assert.Equal("""{"run":"{{run.output}}","text":"{{run.job}} ended {{run.state}}"}""", notify[1].Http!.Body);
    }

    [Fact]
    public void An_unknown_outcome_is_an_error_at_its_position()
    {
        var error = FailsOnce(Job("      - on: [dead, sometimes]\n        event: a.down\n"));
        Assert.Equal((5, 20), (error.Line, error.Column));
        Assert.Contains("'sometimes' is not one of: failed, dead, succeeded, cancelled", error.Message);
    }

    [Fact]
    public void Both_or_neither_of_http_and_event_is_an_error_at_the_notification()
    {
        var both = FailsOnce(Job("      - on: dead\n        event: a.down\n        http: { url: https://x.example/ }\n"));
        Assert.Equal((5, 9), (both.Line, both.Column));
        Assert.Contains("exactly one of http or event", both.Message);
        Assert.Contains("needs on:", FailsOnce(Job("      - event: a.down\n")).Message);
    }

    [Fact]
    public void A_reserved_or_malformed_event_type_is_an_error_at_the_type()
    {
        var reserved = FailsOnce(Job("      - on: dead\n        event: run.failed\n"));
        Assert.Equal((6, 16), (reserved.Line, reserved.Column));
        Assert.Contains("Kairos publishes itself", reserved.Message);
        Assert.Contains("not a valid event type", FailsOnce(Job("      - on: dead\n        event: 'a..b'\n")).Message);
    }

    [Fact]
    public void A_secret_outside_a_header_and_a_bad_url_are_errors_in_the_request()
    {
        var secret = FailsOnce(Job("      - on: dead\n        http: { url: 'https://x.example/', body: '{{secrets.k}}' }\n"));
        Assert.Equal(6, secret.Line);
        Assert.Contains("secret 'k' may only be used in HTTP header values", secret.Message);
        var url = FailsOnce(Job("      - on: dead\n        http: { url: 'ftp://x.example/' }\n"));
        Assert.Contains("is not an absolute http", url.Message);
    }
}
