using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Executors;

namespace Kairos.Tests.Executors;

/// <summary>Bodies that are JSON stay JSON whatever the inserted values hold (<see cref="PayloadTemplate.RenderJson"/>).</summary>
public class JsonBodyTemplateTests
{
    // A parent's output as a completion-triggered run sees it: quotes, backslashes, newlines, nesting, null.
    private const string Payload = """
        {
          "parent": {
            "output": { "message": "he said \"hi\"\nthen left\\", "items": [1, {"a": null}], "ok": true },
            "error": null,
            "count": 3,
            "text": "line 1\nline \"2\"\t</script>"
          }
        }
        """;

    private static JsonNode Render(string body, string? payload = Payload) => JsonNode.Parse(PayloadTemplate.RenderJson(body, payload))!;

    [Fact]
    public void A_string_that_is_one_template_becomes_the_json_value()
    {
        var body = Render("""{"parent": "{{payload.parent.output}}", "n": "{{ payload.parent.count }}", "e": "{{payload.parent.error}}", "t": "{{payload.parent.text}}"}""");

        Assert.Equal("he said \"hi\"\nthen left\\", (string)body["parent"]!["message"]!);
        Assert.Equal(JsonValueKind.Object, body["parent"]!.GetValueKind());
        Assert.Null(body["parent"]!["items"]![1]!["a"]);
        Assert.Equal(JsonValueKind.Number, body["n"]!.GetValueKind());
        Assert.Equal(3, (int)body["n"]!);
        Assert.Null(body["e"]);
        Assert.True(((JsonObject)body).ContainsKey("e"));
        Assert.Equal("line 1\nline \"2\"\t</script>", (string)body["t"]!);
    }

    [Fact]
    public void A_template_inside_a_string_is_escaped_as_part_of_that_string()
    {
        var body = Render("""{"summary": "failed: {{payload.parent.text}} ({{payload.parent.count}})", "raw": "x{{payload.parent.output}}"}""");

        Assert.Equal("failed: line 1\nline \"2\"\t</script> (3)", (string)body["summary"]!);
        var raw = (string)body["raw"]!;
        Assert.StartsWith("x{", raw);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Payload)!["parent"]!["output"], JsonNode.Parse(raw[1..])));
    }

    [Fact]
    public void Templates_in_arrays_keys_and_the_whole_body_are_filled()
    {
        Assert.Equal(3, (int)Render("""["{{payload.parent.count}}", "{{payload.parent.error}}"]""")[0]!);
        Assert.Equal("v", (string)Render("""{"k-{{payload.parent.count}}": "v"}""")["k-3"]!);
        Assert.True((bool)Render("\"{{payload.parent.output}}\"")["ok"]!);
        Assert.Equal("[null]", PayloadTemplate.RenderJson("[\"{{payload}}\"]", null));
    }

    [Fact]
    public void Layout_and_other_values_are_kept_byte_for_byte()
    {
        const string body = "{\n  \"a\": 1.50,\n  \"b\": \"{{payload.parent.count}}\",\n  \"c\": \"\\u00e9\"\n}";
        Assert.Equal("{\n  \"a\": 1.50,\n  \"b\": 3,\n  \"c\": \"\\u00e9\"\n}", PayloadTemplate.RenderJson(body, Payload));
    }

    [Fact]
    public void A_missing_field_fails_with_its_path_in_either_place()
    {
        var whole = Assert.Throws<TemplateException>(() => PayloadTemplate.RenderJson("""{"x": "{{payload.parent.missing}}"}""", Payload));
        Assert.Equal("payload.parent.missing", whole.Path);
        var inside = Assert.Throws<TemplateException>(() => PayloadTemplate.RenderJson("""{"x": "a {{payload.nope}}"}""", Payload));
        Assert.Contains("'payload.nope' is missing from the payload", inside.Message);
    }

    [Fact]
    public void A_body_that_is_not_json_before_filling_is_rendered_as_text()
    {
        Assert.Equal("""{"n": 3}""", PayloadTemplate.RenderJson("""{"n": {{payload.parent.count}}}""", Payload));
        Assert.Equal("count=3", PayloadTemplate.RenderJson("count={{payload.parent.count}}", Payload));
    }

    [Fact]
    public void Other_templates_and_secrets_are_left_as_written()
    {
        Assert.Equal("""{"a": "{{secrets.TOKEN}}", "b": "{{other}}"}""", PayloadTemplate.RenderJson("""{"a": "{{secrets.TOKEN}}", "b": "{{other}}"}""", Payload));
    }

    [Fact]
    public void Run_root_reads_the_notification_context()
    {
        const string context = """{"run": {"id": 7, "job": "etl", "output": {"rows": 2}, "error": null}}""";
        var body = JsonNode.Parse(PayloadTemplate.RenderJson("""{"id": "{{run.id}}", "out": "{{run.output}}", "msg": "{{run.job}} #{{run.id}}", "p": "{{payload}}"}""", context, TemplateRoot.Run))!;
        Assert.Equal(7, (int)body["id"]!);
        Assert.Equal(2, (int)body["out"]!["rows"]!);
        Assert.Equal("etl #7", (string)body["msg"]!);
        Assert.Equal("{{payload}}", (string)body["p"]!);
        Assert.Equal("etl", PayloadTemplate.Render("{{run.job}}", context, TemplateRoot.Run));
    }
}
