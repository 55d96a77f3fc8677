namespace Kairos.Server.Dashboard;

/// <summary>
/// Whether an address taken from a request (sign-in's <c>then</c>, a form's <c>back</c>) may be where a
/// redirect sends the browser: a path of this site, and nothing else. Browsers drop tabs and line breaks
/// from an address and read a backslash as a slash, so <c>/&#9;/evil.example</c> would leave the site as
/// <c>//evil.example</c>; and a <c>Location</c> header carries printable ASCII only (else the answer fails).
/// So: a '/' first, no second '/', and only printable ASCII characters other than '\'.
/// </summary>
internal static class LocalAddress
{
    public const int MaxLength = 1000;

    public static bool IsLocal(string? address) =>
        address is { Length: > 0 and <= MaxLength } && address[0] == '/' && (address.Length == 1 || address[1] != '/')
        && address.All(c => c is > ' ' and < '\x7f' and not '\\');
}
