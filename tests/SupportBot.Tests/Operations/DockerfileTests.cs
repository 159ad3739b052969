using SupportBot.Tests.Support;

namespace SupportBot.Tests.Operations;

/// <summary>
/// The image is built where no Docker engine runs for the tests, so its build stage is checked against the files a
/// build of the repository reads: one left out builds here and fails only in `docker build`.
/// </summary>
public sealed class DockerfileTests
{
    /// <summary>Files at the repository's root that MSBuild, the SDK or the compiler read in every build.</summary>
    private static readonly string[] RootBuildInputs =
    [
        ".editorconfig", "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props",
        "NuGet.config", "nuget.config",
    ];

    [Fact]
    public void The_build_stage_copies_every_root_file_the_build_reads_before_it_publishes()
    {
        var copied = BuildStageSourcesBeforePublish();

        var present = RootBuildInputs.Where(name => File.Exists(Path.Combine(TestPaths.RepoRoot, name))).ToList();
        Assert.NotEmpty(present);
        var missing = present.Where(name => !copied.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "the Dockerfile's build stage does not copy " + string.Join(", ", missing));
        Assert.Contains("src/", copied);
        Assert.Contains("prompts/", copied);
    }

    [Fact]
    public void The_docker_context_keeps_the_root_build_files()
    {
        var ignored = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, ".dockerignore"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain(RootBuildInputs, ignored.Contains);
        Assert.DoesNotContain("src/", ignored);
        Assert.DoesNotContain("prompts/", ignored);
    }

    /// <summary>The sources of the first stage's COPY lines (not the destination, not --from copies) before its publish.</summary>
    private static HashSet<string> BuildStageSourcesBeforePublish()
    {
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(TestPaths.RepoRoot, "Dockerfile")).Select(l => l.Trim()))
        {
            if (line.StartsWith("RUN dotnet publish", StringComparison.Ordinal))
            {
                return sources;
            }

            if (!line.StartsWith("COPY ", StringComparison.Ordinal) || line.Contains("--from", StringComparison.Ordinal))
            {
                continue;
            }

            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
            sources.UnionWith(words.Take(words.Count - 1));
        }

        throw new InvalidOperationException("the Dockerfile has no `RUN dotnet publish` line");
    }
}
