using System.Text;
using Kairos.Tests.Support;
using Kairos.Webhooks;

namespace Kairos.Tests.Webhooks;

/// <summary>Signature checks against the published example vectors of GitHub and Standard Webhooks.</summary>
public sealed class WebhookSignaturesTests
{
    private static readonly WebhookDefinition GitHubHook = new("gh")
    {
        Verification = WebhookVerification.GitHub,
        Secret = SecretSource.Literal("It's a Secret to Everybody"),
    };

    private static readonly WebhookDefinition StandardHook = new("std")
    {
        Verification = WebhookVerification.StandardWebhooks,
        Secret = SecretSource.Literal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
    };

    private static readonly DateTimeOffset StandardSentAt = DateTimeOffset.FromUnixTimeSeconds(1614265330);
    private static readonly byte[] StandardBody = Encoding.UTF8.GetBytes("{\"test\": 2432232314}");

    private static Dictionary<string, string> StandardHeaders(string signature) => new()
    {
        ["webhook-id"] = "msg_p5jXN8AQM9LWM0D4loKWxJek",
        ["webhook-timestamp"] = "1614265330",
        ["webhook-signature"] = signature,
    };

    [Fact]
    public void GitHub_accepts_the_documented_example_and_rejects_a_changed_body_or_signature()
    {
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        var headers = new Dictionary<string, string>
        {
            ["x-hub-signature-256"] = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            ["X-GitHub-Delivery"] = "d-1",
        };

        Assert.Equal((true, "d-1"), (WebhookSignatures.Verify(GitHubHook, GitHubHook.Secret?.Resolve(), headers, body, DateTimeOffset.UtcNow) is var ok ? (ok.Valid, ok.DeliveryId) : default));
        Assert.False(WebhookSignatures.Verify(GitHubHook, GitHubHook.Secret?.Resolve(), headers, Encoding.UTF8.GetBytes("Hello, World?"), DateTimeOffset.UtcNow).Valid);
        headers["x-hub-signature-256"] = "sha256=857107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        Assert.False(WebhookSignatures.Verify(GitHubHook, GitHubHook.Secret?.Resolve(), headers, body, DateTimeOffset.UtcNow).Valid);
        headers["x-hub-signature-256"] = "sha1=abc";
        Assert.Contains("malformed", WebhookSignatures.Verify(GitHubHook, GitHubHook.Secret?.Resolve(), headers, body, DateTimeOffset.UtcNow).Reason);
    }

    [Fact]
    public void Standard_webhooks_accepts_the_specification_example_among_several_signatures()
    {
        var result = WebhookSignatures.Verify(StandardHook, StandardHook.Secret?.Resolve(),
            StandardHeaders("v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), StandardBody, StandardSentAt.AddSeconds(30));
        Assert.Equal((true, "msg_p5jXN8AQM9LWM0D4loKWxJek"), (result.Valid, result.DeliveryId));
    }

    [Fact]
    public void Standard_webhooks_rejects_a_wrong_signature_a_stale_timestamp_and_missing_headers()
    {
        Assert.False(WebhookSignatures.Verify(StandardHook, StandardHook.Secret?.Resolve(), StandardHeaders("v1,bm9wZQ=="), StandardBody, StandardSentAt).Valid);
        var stale = WebhookSignatures.Verify(StandardHook, StandardHook.Secret?.Resolve(), StandardHeaders("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), StandardBody, StandardSentAt.AddMinutes(6));
        Assert.Contains("replay window", stale.Reason);
        Assert.Contains("missing", WebhookSignatures.Verify(StandardHook, StandardHook.Secret?.Resolve(), new Dictionary<string, string>(), StandardBody, StandardSentAt).Reason);
    }

    [Fact]
    public void Bearer_tokens_must_match_exactly()
    {
        var hook = new WebhookDefinition("b") { Verification = WebhookVerification.Bearer, Secret = SecretSource.Literal("s3cret") };
        Assert.True(WebhookSignatures.Verify(hook, hook.Secret?.Resolve(), new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret" }, [], DateTimeOffset.UtcNow).Valid);
        Assert.False(WebhookSignatures.Verify(hook, hook.Secret?.Resolve(), new Dictionary<string, string> { ["Authorization"] = "Bearer s3cre" }, [], DateTimeOffset.UtcNow).Valid);
        Assert.False(WebhookSignatures.Verify(hook, hook.Secret?.Resolve(), new Dictionary<string, string> { ["Authorization"] = "Basic s3cret" }, [], DateTimeOffset.UtcNow).Valid);
    }

    [Fact]
    public void A_secret_from_an_unset_environment_variable_rejects_everything()
    {
        var hook = GitHubHook with { Secret = SecretSource.Environment("KAIROS_TEST_UNSET_" + Guid.NewGuid().ToString("N")) };
        var result = WebhookSignatures.Verify(hook, hook.Secret?.Resolve(), new Dictionary<string, string>(), [], DateTimeOffset.UtcNow);
        Assert.False(result.Valid);
        Assert.Contains("environment variable", result.Reason);
    }
}
