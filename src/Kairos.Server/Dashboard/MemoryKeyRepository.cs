using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Kairos.Server.Dashboard;

/// <summary>
/// Keeps the data-protection keys (which sign and encrypt dashboard sessions and form tokens) in
/// memory only: nothing is written to the user's profile, and a restart of the server signs
/// everyone out, which is the only cost.
/// </summary>
internal sealed class MemoryKeyRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements)
        {
            return _elements.Select(e => new XElement(e)).ToList();
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements)
        {
            _elements.Add(new XElement(element));
        }
    }
}
