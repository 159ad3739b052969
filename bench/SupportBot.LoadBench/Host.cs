using System.Diagnostics;
using SupportBot.Tests.Fakes;

/// <summary>A SupportBot host process pointed at the fake Discord, its output thrown away.</summary>
internal sealed class Host : IDisposable
{
    public const string ApplicationId = "800000000000000001";

    private readonly Process _process;

    private Host(Process process) => _process = process;

    public static Host Start(string hostDll, FakeDiscord fake, string prompts, string dataDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = dataDirectory,
        };
        info.ArgumentList.Add(hostDll);
        info.ArgumentList.Add($"--Storage:Path={Path.Combine(dataDirectory, "supportbot.db")}");
        info.ArgumentList.Add($"--Content:Path={prompts}");
        info.ArgumentList.Add($"--Discord:Token={FakeDiscord.DefaultToken}");
        info.ArgumentList.Add($"--Discord:ApplicationId={ApplicationId}");
        info.ArgumentList.Add($"--Discord:ApiBaseUrl={fake.ApiBaseUrl}");
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the host");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Host(process);
    }

    public void Stop()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose() => _process.Dispose();
}
