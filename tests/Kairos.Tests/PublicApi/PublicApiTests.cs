using System.Reflection;
using Kairos.Tests.Support;
using PublicApiGenerator;

namespace Kairos.Tests.PublicApi;

/// <summary>
/// The public surface of each library assembly is checked in as <c>src/{assembly}/PublicAPI.txt</c>;
/// a change to it fails here with the lines added and removed, so it is made on purpose. To accept
/// a change, run the tests with <c>KAIROS_ACCEPT_PUBLIC_API=1</c> (the files are rewritten and the
/// test passes), then review and commit the new files with the change:
/// <code>KAIROS_ACCEPT_PUBLIC_API=1 dotnet test tests/Kairos.Tests --filter FullyQualifiedName~PublicApiTests</code>
/// </summary>
public sealed class PublicApiTests
{
    private const string AcceptVariable = "KAIROS_ACCEPT_PUBLIC_API";

    /// <summary>No assembly attributes (they carry versions); and the builder lives in Microsoft.Extensions.DependencyInjection, which the generator skips by default.</summary>
    private static readonly ApiGeneratorOptions Options = new() { IncludeAssemblyAttributes = false, DenyNamespacePrefixes = [] };

    public static TheoryData<string> Assemblies => new()
    {
        typeof(Kairos.Client.IKairosClient).Assembly.GetName().Name!,
        typeof(SqliteKairosBuilderExtensions).Assembly.GetName().Name!,
        typeof(PostgresKairosBuilderExtensions).Assembly.GetName().Name!,
        typeof(MemoryKairosBuilderExtensions).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void The_public_api_matches_its_baseline_file(string assembly)
    {
        var actual = Normalize(Assembly.Load(assembly).GeneratePublicApi(Options));
        var path = RepositoryRoot.File("src", assembly, "PublicAPI.txt");
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        var expected = File.Exists(path) ? Normalize(File.ReadAllText(path)) : "";
        Assert.True(expected == actual, $"""
            The public API of {assembly} differs from src/{assembly}/PublicAPI.txt.
            If the change is meant, run the tests with {AcceptVariable}=1 and commit the file.
            {LineDiff.Of(expected, actual)}
            """);
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd() + "\n";
}
