using Kairos.Executors.Handler;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The builder <c>AddKairos</c> hands out; the handler names it collects let a job naming an unknown handler be refused when it is saved.</summary>
internal sealed class KairosBuilder(IServiceCollection services, HandlerRegistry handlers) : IKairosBuilder
{
    public IServiceCollection Services { get; } = services;

    public HandlerRegistry Handlers { get; } = handlers;
}
