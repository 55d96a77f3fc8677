using Kairos.Access;

namespace Kairos.Server.Dashboard;

/// <summary>
/// What every page's frame needs: who is signed in (null on the sign-in page), what they may do,
/// the antiforgery token each form carries, and now on the engine's clock. Public only because
/// Razor components, which take it, are public classes.
/// </summary>
public sealed record DashboardFrame(KairosCaller? Caller, bool SignedInWithKey, string TokenField, string Token, DateTimeOffset Now)
{
    /// <summary>Run jobs now, cancel and retry runs.</summary>
    public bool CanRun => Caller?.Holds(KairosScope.Run) == true;

    /// <summary>Pause, resume and delete jobs; create, edit and delete subscriptions.</summary>
    public bool CanWrite => Caller?.Holds(KairosScope.Write) == true;

    /// <summary>See, create and revoke API keys.</summary>
    public bool CanAdmin => Caller?.Holds(KairosScope.Admin) == true;
}
