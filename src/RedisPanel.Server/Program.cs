// RedisPanel.Server: one node per process, started like redis-server (temporary minimal host: port only).
using RedisPanel.Node;

var options = new NodeOptions { Name = "server" };
for (int i = 0; i < args.Length - 1; i++)
    if (args[i] == "--port") options.Config.Port = int.Parse(args[i + 1]);
await using var node = new RedisNode(options);
if (!await node.StartAsync())
{
    Console.Error.WriteLine(node.FailureReason);
    return 1;
}
var done = new TaskCompletionSource();
node.ShutdownRequested += (_, _) => done.TrySetResult(); // SHUTDOWN ends the process, as with redis-server
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => done.TrySetResult();
await done.Task;
return 0;
