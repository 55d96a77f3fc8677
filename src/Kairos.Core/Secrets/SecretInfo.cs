namespace Kairos.Secrets;

/// <summary>A secret as it is listed: its name and where it comes from, never its value.</summary>
/// <param name="Name">What jobs call it: <c>{{secrets.NAME}}</c>.</param>
/// <param name="Source"><c>stored</c> (encrypted in the database), or the configuration's <c>env:VARIABLE</c> / <c>file:PATH</c>.</param>
/// <param name="UpdatedAt">When a stored secret was last set; null for declared ones.</param>
public sealed record SecretInfo(string Name, string Source, DateTimeOffset? UpdatedAt);
