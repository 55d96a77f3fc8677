using Kairos.Storage.Memory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the in-memory store.</summary>
public static class MemoryKairosBuilderExtensions
{
    /// <summary>
    /// Keeps everything in this process's memory: nothing survives a restart, and no other node can
    /// share it. Meant for tests and trying Kairos out; each engine gets a store of its own.
    /// </summary>
    public static IKairosBuilder UseInMemory(this IKairosBuilder builder) =>
        builder.Configure(o => o.StoreFactory = (_, node) => new MemoryStore(node));
}
