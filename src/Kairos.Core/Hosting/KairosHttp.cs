namespace Kairos.Hosting;

/// <summary>The named <see cref="System.Net.Http.IHttpClientFactory"/> client that HTTP jobs and HTTP polls send through.</summary>
public static class KairosHttp
{
    /// <summary>
    /// <c>"Kairos"</c>. Configure it as any named client, e.g. <c>services.AddHttpClient(KairosHttp.ClientName).ConfigurePrimaryHttpMessageHandler(...)</c>;
    /// leave its timeout infinite, since each job and poll applies its own.
    /// </summary>
    public const string ClientName = "Kairos";
}
