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
}
