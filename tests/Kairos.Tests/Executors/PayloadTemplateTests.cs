using Kairos.Executors;

namespace Kairos.Tests.Executors;

public class PayloadTemplateTests
{
    private const string Payload = """
        {
          "name": "Ada Lovelace",
          "count": 42,
          "ratio": 1.50,
          "ok": true,
          "nothing": null,
          "user": { "id": 7, "tags": ["a", "b"] },
          "items": ["first", { "sku": "X-1" }, [1, 2]],
          "text": "café <b> & 'q' \"dq\""
        }
        """;

    [Fact]
    public void Whole_payload_is_compact_json()
    {
        var rendered = PayloadTemplate.Render("{{payload}}", """{ "a" : [1, 2],  "b": { "c": "x y" } }""");
        Assert.Equal("""{"a":[1,2],"b":{"c":"x y"}}""", rendered);
    }

    [Fact]
    public void Whole_payload_of_a_run_without_payload_is_json_null()
    {
        Assert.Equal("data=null", PayloadTemplate.Render("data={{payload}}", null));
    }

    [Theory]
    [InlineData("{{payload.name}}", "Ada Lovelace")]
    [InlineData("{{payload.count}}", "42")]
    [InlineData("{{payload.ratio}}", "1.50")]
    [InlineData("{{payload.ok}}", "true")]
    [InlineData("{{payload.nothing}}", "null")]
    [InlineData("{{payload.user.id}}", "7")]
    [InlineData("{{payload.user}}", """{"id":7,"tags":["a","b"]}""")]
    [InlineData("{{payload.user.tags}}", """["a","b"]""")]
    [InlineData("{{payload.user.tags.1}}", "b")]
    [InlineData("{{payload.items.0}}", "first")]
    [InlineData("{{payload.items.1.sku}}", "X-1")]
    [InlineData("{{payload.items.2.1}}", "2")]
    [InlineData("{{payload.text}}", "café <b> & 'q' \"dq\"")]
    public void Path_selects_a_value(string template, string expected)
    {
        Assert.Equal(expected, PayloadTemplate.Render(template, Payload));
    }

    [Fact]
    public void Whitespace_inside_braces_is_allowed()
    {
        Assert.Equal("Ada Lovelace/7", PayloadTemplate.Render("{{ payload.name }}/{{   payload.user.id\t}}", Payload));
        Assert.Equal("""{"x":1}""", PayloadTemplate.Render("{{ payload }}", """{"x": 1}"""));
    }

    [Fact]
    public void Text_outside_templates_is_kept_verbatim()
    {
        var template = "Hi {{payload.name}}! {single} {{other}} {{ payloadish }} $(x) ; {{payload.count}} {{ unclosed";
        Assert.Equal("Hi Ada Lovelace! {single} {{other}} {{ payloadish }} $(x) ; 42 {{ unclosed",
            PayloadTemplate.Render(template, Payload));
    }

    [Fact]
    public void Template_without_payload_references_ignores_the_payload()
    {
        Assert.Equal("plain {{x}}", PayloadTemplate.Render("plain {{x}}", "this is not json"));
    }

    [Theory]
    [InlineData("{{payload.missing}}", "payload.missing")]
    [InlineData("{{payload.user.email}}", "payload.user.email")]
    [InlineData("{{ payload.items.9 }}", "payload.items.9")]
    [InlineData("{{payload.items.first}}", "payload.items.first")]
    [InlineData("{{payload.name.first}}", "payload.name.first")]
    [InlineData("{{payload.User.id}}", "payload.User.id")]
    public void Missing_path_throws_naming_the_path(string template, string path)
    {
        var ex = Assert.Throws<TemplateException>(() => PayloadTemplate.Render("x " + template + " y", Payload));
        Assert.IsAssignableFrom<FormatException>(ex);
        Assert.Equal(path, ex.Path);
        Assert.Contains($"'{path}'", ex.Message);
        Assert.Contains("missing from the payload", ex.Message);
    }

    [Fact]
    public void Path_into_a_run_without_payload_is_missing()
    {
        var ex = Assert.Throws<TemplateException>(() => PayloadTemplate.Render("{{payload.id}}", null));
        Assert.Contains("'payload.id' is missing from the payload", ex.Message);
    }

    [Fact]
    public void Malformed_path_and_invalid_payload_are_errors()
    {
        var malformed = Assert.Throws<TemplateException>(() => PayloadTemplate.Render("{{payload..a}}", Payload));
        Assert.Contains("payload..a", malformed.Message);

        var invalid = Assert.Throws<TemplateException>(() => PayloadTemplate.Render("{{payload}}", "{not json"));
        Assert.Contains("not valid JSON", invalid.Message);
    }
}
