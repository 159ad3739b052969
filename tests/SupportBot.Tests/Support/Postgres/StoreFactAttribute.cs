using Xunit.Abstractions;
using Xunit.Sdk;

namespace SupportBot.Tests.Support.Postgres;

/// <summary>The store a test class runs on: store tests are written once, in an abstract class, and run on both.</summary>
public enum Store
{
    Sqlite,
    Postgres,
}

/// <summary>Marks a test class that runs on PostgreSQL: its <see cref="StoreFactAttribute"/> tests need the test server.</summary>
public interface IOnPostgres;

/// <summary>
/// A fact of a store test class. In a class that runs on PostgreSQL (<see cref="IOnPostgres"/>) it is skipped, saying
/// why, when no server can be started, unless SUPPORTBOT_REQUIRE_POSTGRES=1, when it fails instead. On SQLite it always runs.
/// </summary>
[XunitTestCaseDiscoverer("SupportBot.Tests.Support.Postgres.StoreFactDiscoverer", "SupportBot.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>A fact that needs PostgreSQL whatever its class: skipped or failed as a <see cref="StoreFactAttribute"/> on PostgreSQL.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.SkipReason is { } why)
        {
            Skip = "No PostgreSQL server could be started for this run: " + why;
        }
    }
}

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var onPostgres = typeof(IOnPostgres).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType());
        return onPostgres && PostgresServer.SkipReason is { } why
            ? new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, why)
            : base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}

/// <summary>A theory of a store test class: skipped on PostgreSQL when no server can be started, as <see cref="StoreFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("SupportBot.Tests.Support.Postgres.StoreTheoryDiscoverer", "SupportBot.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute;

public sealed class StoreTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
    {
        var onPostgres = typeof(IOnPostgres).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType());
        return onPostgres && PostgresServer.SkipReason is { } why
            ? [new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, why)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
    }
}

/// <summary>A test case skipped for a reason known only at discovery (no PostgreSQL server), not written on its attribute.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod, string why)
        : base(sink, display, options, testMethod) => _reason = "No PostgreSQL server could be started for this run: " + why;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("Reason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("Reason");
        base.Deserialize(data);
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;
}
