using Kairos.Hosting;

namespace Kairos.Storage.Memory;

public static class MemoryKairosOptionsExtensions
{
    /// <summary>
    /// Keeps everything in this process's memory: nothing survives a restart, and no other node can
    /// share it. Meant for tests and trying Kairos out; each engine gets a store of its own.
    /// </summary>
    public static KairosOptions UseInMemory(this KairosOptions options)
    {
        options.StoreFactory = (_, node) => new MemoryStore(node);
        return options;
    }
}
