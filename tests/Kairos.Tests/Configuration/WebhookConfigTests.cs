using Kairos.Configuration;

namespace Kairos.Tests.Configuration;

/// <summary>Webhook mistakes in the YAML file are errors at the line and column of the field, found at load time.</summary>
public sealed class WebhookConfigTests
{
    private static ConfigError SingleError(string yaml) =>
        Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "t.yaml")).Errors);

    [Fact]
    public void A_standard_webhooks_secret_that_is_not_base64_is_an_error_at_the_secret()
    {
        var error = SingleError("""
            webhooks:
              h:
                verify: standard
                secret: whsec_not base64!
            """);

        Assert.Equal((4, 13), (error.Line, error.Column));
        Assert.Contains("secret: is not a Standard Webhooks secret: base64 of the key, optionally after the prefix whsec_", error.Message);
    }

    [Fact]
    public void A_signed_content_placeholder_other_than_body_or_header_is_an_error_at_its_field_and_character()
    {
        var error = SingleError("""
            webhooks:
              h:
                verify: hmac
                secretEnv: HOOK_SECRET
                hmac:
                  header: X-Signature
                  signedContent: "{{body}}.{{ env.HOME }}"
            """);

        Assert.Equal((7, 22), (error.Line, error.Column));
        Assert.Contains("hmac.signedContent: '{{env.HOME}}' at character 10 is not {{body}} or {{header.NAME}}", error.Message);
    }

    [Theory]
    [InlineData("hmac: { header: X-Sig, signedContent: \"{{body\" }", "'{{' at character 1 is not closed")]
    [InlineData("hmac: { header: X-Sig, algorithm: md5 }", "hmac.algorithm 'md5' is not one of: sha1, sha256, sha512")]
    [InlineData("hmac: { header: X-Sig, encoding: base32 }", "hmac.encoding 'base32' is not one of: hex, base64")]
    [InlineData("hmac: { prefix: v0= }", "hmac.header: is required")]
    [InlineData("hmac: { header: \"X Sig\" }", "hmac.header: 'X Sig' is not a header name")]
    public void Hmac_mistakes_are_reported(string hmac, string expected) =>
        Assert.Contains(expected, SingleError($"webhooks:\n  h:\n    verify: hmac\n    secretEnv: S\n    {hmac}\n").Message);

    [Fact]
    public void Stripe_and_hmac_hooks_are_read()
    {
        var config = YamlConfigLoader.Load("""
            webhooks:
              stripe:
                verify: stripe
                secretEnv: STRIPE_SECRET
              slack:
                verify: hmac
                secretEnv: SLACK_SECRET
                hmac:
                  header: X-Slack-Signature
                  algorithm: sha256
                  encoding: hex
                  prefix: v0=
                  signedContent: "v0:{{header.X-Slack-Request-Timestamp}}:{{body}}"
                  timestampHeader: X-Slack-Request-Timestamp
            """, "t.yaml");

        Assert.Equal(Kairos.Webhooks.WebhookVerification.Stripe, config.Webhooks.Single(w => w.Name == "stripe").Verification);
        Assert.Equal(new Kairos.Webhooks.HmacVerification("X-Slack-Signature")
        {
            Prefix = "v0=",
            SignedContent = "v0:{{header.X-Slack-Request-Timestamp}}:{{body}}",
            TimestampHeader = "X-Slack-Request-Timestamp",
        }, config.Webhooks.Single(w => w.Name == "slack").Hmac);
    }
}
