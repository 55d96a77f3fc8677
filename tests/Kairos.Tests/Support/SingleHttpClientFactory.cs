namespace Kairos.Tests.Support;

/// <summary>Hands out one client for every name: the executor under test sends through it, as through the factory's "Kairos" client.</summary>
internal sealed class SingleHttpClientFactory(HttpClient client) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => client;
}
