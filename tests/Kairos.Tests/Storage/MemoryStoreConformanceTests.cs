using Kairos.Storage;
using Kairos.Storage.Memory;

namespace Kairos.Tests.Storage;

/// <summary>The conformance suite on the in-memory driver: each test on a store of its own.</summary>
public sealed class MemoryStoreConformanceTests : StoreConformanceTests
{
    protected override Task<IKairosStore> CreateStoreAsync(string node) => Task.FromResult<IKairosStore>(new MemoryStore(node));
}
