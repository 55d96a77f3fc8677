using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Executors.Handler;

/// <summary>
/// Handlers every Kairos server has, for examples, smoke tests and benchmarks:
/// <c>noop</c> (does nothing), <c>echo</c> (returns its payload), <c>sleep</c> (waits payload.ms,
/// default 1000, honouring cancellation), <c>fail</c> (throws payload.message).
/// </summary>
internal static class BuiltInHandlers
{
    /// <summary>The names of the built-in handlers.</summary>
    public static IReadOnlyList<string> Names { get; } = ["noop", "echo", "sleep", "fail"];

    public static IKairosBuilder AddTo(IKairosBuilder builder)
    {
        builder.AddHandler("noop", _ => Task.FromResult<JsonNode?>(null));
        builder.AddHandler("echo", context =>
        {
            context.Logger.LogInformation("echo: {Payload}", context.Payload.GetRawText());
            return Task.FromResult(JsonNode.Parse(context.Payload.GetRawText()));
        });
        builder.AddHandler("sleep", async context =>
        {
            var ms = context.Payload.ValueKind == JsonValueKind.Object && context.Payload.TryGetProperty("ms", out var value) && value.TryGetInt32(out var given)
                ? given
                : 1000;
            await Task.Delay(ms, context.CancellationToken).ConfigureAwait(false);
            return new JsonObject { ["slept"] = ms };
        });
        builder.AddHandler("fail", context =>
        {
            var message = context.Payload.ValueKind == JsonValueKind.Object && context.Payload.TryGetProperty("message", out var value)
                ? value.ToString()
                : string.Create(CultureInfo.InvariantCulture, $"failed on purpose (attempt {context.Attempt})");
            throw new InvalidOperationException(message);
        });
        return builder;
    }
}
