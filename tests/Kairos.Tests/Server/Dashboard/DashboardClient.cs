using System.Net;
using System.Text.RegularExpressions;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>
/// A browser's part in plain HTTP: a cookie jar, no automatic redirects, and the antiforgery token
/// read from the page a form came from, as a browser would send it back.
/// </summary>
internal sealed partial class DashboardClient : IDisposable
{
    private readonly HttpClient _http;

    public DashboardClient(string url)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
    }

    public CookieContainer Cookies { get; }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    /// <summary>A GET answered as soon as its headers arrive, its body left to read (a live stream).</summary>
    public Task<HttpResponseMessage> StreamAsync(string path) => _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

    public async Task<string> GetPageAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The antiforgery token in the forms of the page at <paramref name="path"/>.</summary>
    public async Task<string> TokenAsync(string path) => TokenField().Match(await GetPageAsync(path)).Groups[1].Value;

    public Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields) =>
        _http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    /// <summary>Signs in with <paramref name="key"/> through the sign-in form; returns the answer.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string key) =>
        await PostAsync("/signin", ("_token", await TokenAsync("/signin")), ("key", key), ("then", "/"));

    /// <summary>A client signed in with <paramref name="key"/> on the dashboard at <paramref name="url"/>.</summary>
    public static async Task<DashboardClient> SignedInAsync(string url, string key)
    {
        var browser = new DashboardClient(url);
        using var signIn = await browser.SignInAsync(key);
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        return browser;
    }

    /// <summary>Posts a form of the page at <paramref name="page"/>, with that page's antiforgery token.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string action, params (string Name, string Value)[] fields) =>
        await PostAsync(action, [("_token", await TokenAsync(page)), .. fields]);

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"_token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
