namespace Kairos.Webhooks;

/// <summary>A problem with one field of a webhook definition, named as the YAML file and the API name it.</summary>
internal sealed record WebhookFieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// What a webhook definition must satisfy, written once for every way in: the YAML reader reports
/// each problem at its field's line and column, the API answers 400 naming the field, and a hook
/// declared in code fails at start. A definition that passes cannot fail at delivery because of
/// its configuration (a secret read from the environment is checked when it is read).
/// </summary>
internal static class WebhookRules
{
    public static List<WebhookFieldError> Check(WebhookDefinition hook)
    {
        var errors = new List<WebhookFieldError>();
        if (hook.Publish is { } publish && Model.JobRules.PublishedType(publish) is { } typeError)
        {
            errors.Add(new("publish", typeError));
        }
        if (hook.Verification != WebhookVerification.None && hook.Secret is null)
        {
            errors.Add(new("secret", "verifying signatures needs a secret: secretEnv: VARIABLE (preferred) or secret: VALUE"));
        }
        if (hook.Verification == WebhookVerification.StandardWebhooks && hook.Secret?.Value is { } secret && !StandardWebhooksSecret.TryDecode(secret, out _))
        {
            errors.Add(new("secret", $"is not {StandardWebhooksSecret.Expected}"));
        }
        if (hook.Verification == WebhookVerification.Hmac && hook.Hmac is null)
        {
            errors.Add(new("hmac", "verify: hmac needs the signature's layout: hmac: { header: NAME, … }"));
        }
        if (hook.Hmac is { } hmac)
        {
            if (hook.Verification != WebhookVerification.Hmac)
            {
                errors.Add(new("hmac", "is only read with verify: hmac"));
            }
            if (string.IsNullOrEmpty(hmac.Header))
            {
                errors.Add(new("hmac.header", "is required: the name of the header that carries the signature"));
            }
            else if (!SignedContentTemplate.IsHeaderName(hmac.Header))
            {
                errors.Add(new("hmac.header", $"'{hmac.Header}' is not a header name"));
            }
            if (hmac.TimestampHeader is { } timestampHeader && !SignedContentTemplate.IsHeaderName(timestampHeader))
            {
                errors.Add(new("hmac.timestampHeader", $"'{timestampHeader}' is not a header name"));
            }
            if (SignedContentTemplate.Parse(hmac.SignedContent ?? "", out var templateError) is null)
            {
                errors.Add(new("hmac.signedContent", templateError!));
            }
        }
        if (WebhookLimits.BodySize(hook.MaxBodyBytes) is { } sizeError)
        {
            errors.Add(new("maxBodyBytes", sizeError));
        }
        if (hook.ReplayWindow <= TimeSpan.Zero || hook.ReplayWindow > Configuration.Durations.Longest)
        {
            errors.Add(new("replayWindow", "must be a positive duration of at most 100 years"));
        }
        if (hook.RateLimit is { } limit)
        {
            if (limit.Requests is < 1 or > 1_000_000)
            {
                errors.Add(new("rateLimit.requests", $"{limit.Requests} is out of range 1–1000000"));
            }
            if (limit.Per <= TimeSpan.Zero || limit.Per > Configuration.Durations.Longest)
            {
                errors.Add(new("rateLimit.per", "must be a positive duration of at most 100 years"));
            }
        }
        if (hook.Headers.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(new("headers", "a header name is empty"));
        }
        return errors;
    }
}
