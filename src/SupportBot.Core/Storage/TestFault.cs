using System.Diagnostics;

namespace SupportBot.Core.Storage;

/// <summary>The kill of the test faults of <see cref="StorageOptions"/> (TestFaultKillAfter...): SIGKILL, as kill -9, so nothing else runs.</summary>
internal static class TestFault
{
    public static void Kill()
    {
        // Straight to standard error: the logger writes on a background thread, which the kill would cut short.
        Console.Error.WriteLine("TEST FAULT: a Storage:TestFaultKillAfter... option is set: killing this process before it delivers its replies");
        using var self = Process.GetCurrentProcess();
        self.Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
