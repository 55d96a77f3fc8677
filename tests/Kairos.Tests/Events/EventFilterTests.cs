using System.Text.Json.Nodes;
using Kairos.Events;

namespace Kairos.Tests.Events;

/// <summary>Every filter operator against one event envelope.</summary>
public sealed class EventFilterTests
{
    private static readonly JsonNode Event = JsonNode.Parse("""
        {
          "type": "order.created",
          "source": "shop",
          "priority": 5,
          "data": {
            "amount": 120.50,
            "currency": "EUR",
            "customer": { "tier": "gold", "email": "ada@example.org" },
            "items": [ { "sku": "ABC-1" }, { "sku": "XYZ-9" } ],
            "express": true,
            "coupon": null
          }
        }
        """)!;

    [Theory]
    [InlineData("{}", true)]
    [InlineData("""{"type": "order.created"}""", true)]
    [InlineData("""{"data.currency": "EUR", "source": "shop"}""", true)]
    [InlineData("""{"data.currency": "USD"}""", false)]
    [InlineData("""{"data.customer": {"tier": "gold", "email": "ada@example.org"}}""", true)]
    [InlineData("""{"data.express": true}""", true)]
    [InlineData("""{"data.coupon": null}""", true)]
    [InlineData("""{"data.amount": {"$eq": 120.5}}""", true)]
    [InlineData("""{"data.amount": {"$gt": 100}}""", true)]
    [InlineData("""{"data.amount": {"$gt": 120.5}}""", false)]
    [InlineData("""{"data.amount": {"$gte": 120.5}}""", true)]
    [InlineData("""{"data.amount": {"$lt": 120.5}}""", false)]
    [InlineData("""{"data.amount": {"$lte": 120.5, "$gt": 0}}""", true)]
    [InlineData("""{"data.currency": {"$gt": "ABC"}}""", true)]
    [InlineData("""{"data.currency": {"$gt": 5}}""", false)]
    [InlineData("""{"data.currency": {"$ne": "USD"}}""", true)]
    [InlineData("""{"data.currency": {"$ne": "EUR"}}""", false)]
    [InlineData("""{"data.missing": {"$ne": "x"}}""", true)]
    [InlineData("""{"data.customer.tier": {"$in": ["gold", "platinum"]}}""", true)]
    [InlineData("""{"data.customer.tier": {"$in": ["silver"]}}""", false)]
    [InlineData("""{"data.customer.tier": {"$nin": ["silver", "bronze"]}}""", true)]
    [InlineData("""{"data.customer.tier": {"$nin": ["gold"]}}""", false)]
    [InlineData("""{"data.missing": {"$nin": ["gold"]}}""", true)]
    [InlineData("""{"data.coupon": {"$exists": true}}""", true)]
    [InlineData("""{"data.discount": {"$exists": false}}""", true)]
    [InlineData("""{"data.discount": {"$exists": true}}""", false)]
    [InlineData("""{"data.items.0.sku": {"$glob": "ABC-*"}}""", true)]
    [InlineData("""{"data.items.1.sku": {"$glob": "ABC-?"}}""", false)]
    [InlineData("""{"data.customer.email": {"$glob": "*@example.org"}}""", true)]
    [InlineData("""{"data.amount": {"$glob": "1*"}}""", false)]
    [InlineData("""{"data.missing": {"$gt": 1}}""", false)]
    [InlineData("""{"data.items.5.sku": "ABC-1"}""", false)]
    public void Conditions_match_as_documented(string filter, bool expected) =>
        Assert.Equal(expected, EventFilter.Parse(filter).Matches(Event));

    [Theory]
    [InlineData("""{"data.amount": {"$between": [1, 2]}}""", "unknown operator '$between'")]
    [InlineData("""{"data.tier": {"$in": "gold"}}""", "$in needs an array")]
    [InlineData("""{"data.tier": {"$exists": "yes"}}""", "$exists needs true or false")]
    [InlineData("""{"data.tier": {"$glob": 5}}""", "$glob needs a string")]
    [InlineData("""{"data.amount": {"$gt": [1]}}""", "$gt needs a number or a string")]
    [InlineData("""{"data..amount": 1}""", "not a dotted path")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{"data": """, "not valid JSON")]
    public void Bad_filters_say_what_is_wrong(string filter, string expected) =>
        Assert.Contains(expected, Assert.Throws<KairosValidationException>(() => EventFilter.Parse(filter)).Message);

    [Fact]
    public void A_glob_that_would_backtrack_on_a_long_string_answers_without_throwing()
    {
        // Regression: $glob compiled to a backtracking regex with a 100 ms timeout; on a long run
        // output this pattern timed out and threw inside the completion that routed the event.
        var filter = EventFilter.Parse("""{"data.output": {"$glob": "*a*a*a*a*a*a*a*a*a*a*a*a*b"}}""");
        var longOutput = new JsonObject { ["data"] = new JsonObject { ["output"] = new string('a', 200_000) } };
        var matching = new JsonObject { ["data"] = new JsonObject { ["output"] = new string('a', 200_000) + "b" } };

        Assert.False(filter.Matches(longOutput));
        Assert.True(filter.Matches(matching));
    }
}
