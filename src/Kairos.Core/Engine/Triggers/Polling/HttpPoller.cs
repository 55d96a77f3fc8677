using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Polling;

/// <summary>
/// The built-in HTTP poll (<see cref="HttpPollSpec"/>): GET the URL with the headers and fire when
/// every condition given holds — the status equals <see cref="HttpPollSpec.Status"/>; the JSON value
/// at <see cref="HttpPollSpec.Field"/> equals <see cref="HttpPollSpec.EqualsJson"/>; with
/// <see cref="HttpPollSpec.OnChange"/>, the value differs from the previous successful poll's (the
/// first poll only records it). The value is the field's, or without a field the status and a
/// SHA-256 of the body. Context: <c>{status, value, previous}</c>. A transport error, or a body over
/// 8 MiB, fails the poll; a status that does not match does not. Header values may name secrets
/// (<c>{{secrets.NAME}}</c>), read at each poll.
/// </summary>
internal sealed class HttpPoller : IPollTrigger
{
    public const int MaxBodyBytes = 8 << 20;

    /// <summary>Hands out the <see cref="Hosting.KairosHttp.ClientName"/> client: pooled connections, recycled for DNS changes; the trigger's timeout applies, not the client's.</summary>
    private readonly IHttpClientFactory _clients;
    private readonly HttpPollSpec _spec;
    private readonly JsonNode? _expected;
    private readonly Secrets.SecretResolver _secrets;
    private readonly IReadOnlyList<string> _secretNames;

    public HttpPoller(HttpPollSpec spec, TimeSpan interval, IHttpClientFactory clients, Secrets.SecretResolver secrets)
    {
        _clients = clients;
        _secrets = secrets;
        _secretNames = spec.Headers.Values.SelectMany(Executors.PayloadTemplate.SecretNames).Distinct().ToList();
        _spec = spec;
        Interval = interval;
        if (spec.Status is null && spec.EqualsJson is null && !spec.OnChange)
        {
            throw new InvalidOperationException("an http poll needs a condition: status, field with equals, or onChange");
        }
        if (spec.EqualsJson is not null && spec.Field is null)
        {
            throw new InvalidOperationException("an http poll's equals needs field, the dotted path of the JSON value to compare");
        }
        _expected = spec.EqualsJson is null ? null : JsonNode.Parse(spec.EqualsJson);
    }

    public string Name => "http";

    public TimeSpan Interval { get; }

    /// <summary>Built-in polls drop a fire whose context is already queued or running unless the trigger says otherwise.</summary>
    public bool AllowConcurrent => false;

    public async Task<PollResult> PollAsync(PollContext context, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _spec.Url);
        var secrets = _secretNames.Count == 0 ? null : await _secrets.ResolveAsync(_secretNames, cancellationToken).ConfigureAwait(false);
        foreach (var (name, header) in _spec.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, secrets is null ? header : Executors.PayloadTemplate.Render(header, null, secrets));
        }
        using var response = await _clients.CreateClient(Hosting.KairosHttp.ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);

        var value = _spec.Field is { } field
            ? JsonValues.Select(JsonValues.TryParse(body), field)?.DeepClone()
            : new JsonObject { ["status"] = status, ["bodySha256"] = Convert.ToHexStringLower(SHA256.HashData(body)) };
        var (seenBefore, previous) = Previous(context.State);
        context.State = new JsonObject { ["value"] = value?.DeepClone() }.ToJsonString();

        var fire = (_spec.Status is null || _spec.Status == status)
            && (_spec.EqualsJson is null || JsonValues.Equal(value, _expected))
            && (!_spec.OnChange || (seenBefore && !JsonValues.Equal(value, previous)));
        return fire
            ? PollResult.Fire(new JsonObject { ["status"] = status, ["value"] = value, ["previous"] = previous })
            : PollResult.Skip;
    }

    /// <summary>The value stored by the previous successful poll; false when there was none.</summary>
    private static (bool SeenBefore, JsonNode? Value) Previous(string? state)
    {
        if (state is null || JsonValues.TryParse(System.Text.Encoding.UTF8.GetBytes(state)) is not JsonObject stored
            || !stored.TryGetPropertyValue("value", out var value))
        {
            return (false, null);
        }
        return (true, value?.DeepClone());
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxBodyBytes)
        {
            throw new InvalidOperationException($"the response body ({response.Content.Headers.ContentLength} bytes) is over the {MaxBodyBytes >> 20} MiB an http poll reads");
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > MaxBodyBytes)
                {
                    throw new InvalidOperationException($"the response body is over the {MaxBodyBytes >> 20} MiB an http poll reads");
                }
                body.Write(buffer, 0, read);
            }
            return body.ToArray();
        }
    }
}
