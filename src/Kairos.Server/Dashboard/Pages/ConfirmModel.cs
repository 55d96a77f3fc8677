namespace Kairos.Server.Dashboard.Pages;

/// <summary>
/// A question before something that cannot be undone (delete, revoke), on a page of its own so it
/// works without script and by keyboard: what will happen, the form that does it, and the way back.
/// </summary>
public sealed record ConfirmModel(string Title, string Consequence, string Action, IReadOnlyList<(string Name, string Value)> Fields, string Button, string Back, string Section);
