using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kairos.Secrets;

namespace Kairos.Tests.Secrets;

/// <summary>A secret is masked as written, inside JSON strings however they escape it, and in base64.</summary>
public sealed class SecretMaskTests
{
    private const string Secret = "p\"a\\ss/wörd<1>+";

    private static readonly SecretMask Mask = new([Secret]);

    public static TheoryData<string> Printed => new()
    {
        Secret,
        JsonSerializer.Serialize(new { token = Secret }), // \u0022, \\, \u003C, \u002B, ö as it is? System.Text.Json escapes it too.
        JsonSerializer.Serialize(new { token = Secret }, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
        "{\"token\": \"p\\\"a\\\\ss/wörd<1>+\"}", // jq, Node, Go: quote and backslash only.
        "{\"token\": \"p\\\"a\\\\ss/w\\u00f6rd<1>+\"}", // Python's json.dumps: non-ASCII as \u escapes.
        "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)),
        "token=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
    };

    [Theory]
    [MemberData(nameof(Printed))]
    public void Every_printed_form_of_a_secret_is_masked(string text)
    {
        var masked = Mask.Apply(text)!;

        Assert.Contains(SecretMask.Masked, masked);
        foreach (var form in SecretMask.FormsOf(Secret))
        {
            Assert.DoesNotContain(form, masked);
        }
        Assert.DoesNotContain("ss/w", masked);
    }

    [Fact]
    public void Ordinary_text_around_a_secret_is_kept()
    {
        Assert.Equal("token is *** and that is all", new SecretMask(["hunter2"]).Apply("token is hunter2 and that is all"));
        Assert.Equal("the cat sat", new SecretMask(["cat"]).Apply("the cat sat")); // Refused when stored; never masked.
    }
}
