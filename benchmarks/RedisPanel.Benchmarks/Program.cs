// Runs the micro-benchmarks in-process, timed by the thread's CPU clock (see ThreadCpuClock); pass --wall to
// time by the wall clock instead. Other arguments go to BenchmarkDotNet (--filter '*', --job short ...).
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RedisPanel.Benchmarks;

bool wall = args.Contains("--wall");
var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10);
if (!wall && ThreadCpuClock.Instance.IsAvailable) job = job.WithClock(ThreadCpuClock.Instance);
var config = DefaultConfig.Instance.AddJob(job.AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(ThreadCpuClock).Assembly).Run(args.Where(a => a != "--wall").ToArray(), config);
