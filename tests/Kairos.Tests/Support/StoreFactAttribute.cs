using Xunit.Abstractions;
using Xunit.Sdk;

namespace Kairos.Tests.Support;

/// <summary>
/// A fact of the store conformance suite. It runs like [Fact], except in a test class marked
/// <see cref="RequiresPostgresAttribute"/> when there is no PostgreSQL test server
/// (KAIROS_TEST_POSTGRES unset): there it is reported as skipped, with the reason. (xunit 2 cannot
/// skip an inherited [Fact] per subclass; this discoverer decides per test class.)
/// </summary>
[XunitTestCaseDiscoverer("Kairos.Tests.Support.StoreFactDiscoverer", "Kairos.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a test class whose <see cref="StoreFactAttribute"/> tests need the PostgreSQL test server.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public const string NoServer =
        "no PostgreSQL test server: KAIROS_TEST_POSTGRES is not set (scripts/test starts one when PostgreSQL is installed or installable)";

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        var needsPostgres = testClass is not null && Attribute.IsDefined(testClass, typeof(RequiresPostgresAttribute));
        if (needsPostgres && string.IsNullOrEmpty(PostgresFactAttribute.ConnectionString))
        {
            yield return new SkippedTestCase(diagnosticMessageSink, display, displayOptions, testMethod);
        }
        else
        {
            yield return new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod);
        }
    }
}

/// <summary>A test case reported as skipped because there is no PostgreSQL test server.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, displayOptions, testMethod)
    {
    }

    // A constant, not a field: the base class may compute the skip reason before a constructor of ours runs.
    protected override string GetSkipReason(IAttributeInfo factAttribute) => StoreFactDiscoverer.NoServer;
}
