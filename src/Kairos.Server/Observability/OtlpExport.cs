using Kairos.Configuration;
using Kairos.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Kairos.Server.Observability;

/// <summary>
/// Sends the <c>Kairos</c> meter's numbers and the <c>Kairos</c> spans (with the HTTP requests', which
/// webhook runs link to) to an OTLP collector, when one is named: <c>telemetry.otlp.endpoint</c> in the
/// configuration file, else the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>. The file's values are
/// handed to the exporter as those standard settings, so every other <c>OTEL_*</c> variable (headers,
/// export interval, service name) works as documented by OpenTelemetry. Without an endpoint nothing
/// is added.
/// </summary>
internal static class OtlpExport
{
    private const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string ProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";

    public static void Add(WebApplicationBuilder builder, TelemetrySettings settings)
    {
        if (settings.OtlpEndpoint is { } endpoint)
        {
            builder.Configuration[EndpointKey] = endpoint.ToString();
        }
        if (settings.OtlpProtocol is { } protocol)
        {
            builder.Configuration[ProtocolKey] = protocol;
        }
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointKey]))
        {
            return;
        }
        var service = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } named ? named : "kairos";
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(service, serviceVersion: typeof(KairosMetrics).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m => m.AddMeter(KairosMetrics.MeterName).AddOtlpExporter())
            .WithTracing(t => t.AddSource(KairosActivities.SourceName, "Microsoft.AspNetCore").AddOtlpExporter());
    }
}
