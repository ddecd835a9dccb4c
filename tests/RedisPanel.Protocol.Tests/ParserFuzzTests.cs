// In-process fuzz of RespParser: at least 100,000 seeded inputs (REDISPANEL_FUZZ_SEED=<n>|random and
// REDISPANEL_FUZZ_COUNT=<n> override). Each result must equal the reference model of Redis's parser, be the
// same for any segment shape, and the parser must only ever return (no exception, no endless loop).
using System.Buffers;
using Xunit.Abstractions;

namespace RedisPanel.Protocol.Tests;

public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20240607;

    [Fact]
    public async Task Parser_matches_redis_model_on_100k_fuzzed_inputs()
    {
        int seed = FuzzInputs.SeedFromEnvironment(DefaultSeed);
        int count = FuzzInputs.CountFromEnvironment(100_000);
        output.WriteLine($"fuzz seed {seed}, {count} inputs (REDISPANEL_FUZZ_SEED={seed} reproduces)");
        // A dedicated thread with a deadline: an endless loop in the parser fails the test instead of hanging it.
        var run = Task.Factory.StartNew(() => Fuzz(seed, count), TaskCreationOptions.LongRunning);
        var stats = await run.WaitAsync(TimeSpan.FromMinutes(4));
        output.WriteLine(stats);
    }

    private static string Fuzz(int seed, int count)
    {
        var gen = new FuzzInputs(seed);
        var rng = gen.Rng;
        int errors = 0, withCommands = 0, incomplete = 0;
        var small = new ParserLimits(100, AuthRequired: true);
        for (int i = 0; i < count; i++)
        {
            var input = gen.Next();
            bool auth = i % 7 == 0;
            var limits = auth ? small : ParserLimits.Default;
            ParseRun ours;
            try
            {
                ours = ParseRun.Of(input, limits);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} input #{i} {ParseRun.Escape(input)} threw {ex}");
            }
            var model = auth ? RedisReferenceParser.Parse(input, 100, true) : RedisReferenceParser.Parse(input);
            if (!ours.SameAs(model))
                throw new Xunit.Sdk.XunitException($"seed {seed} input #{i} {ParseRun.Escape(input)}\n  ours:  {ours}\n  redis: {model}");
            var pieces = ParseRun.Of(i % 10 == 0 ? Segments.OneByte(input) : Segments.Random(input, rng), limits);
            if (!pieces.SameAs(ours))
                throw new Xunit.Sdk.XunitException($"seed {seed} input #{i} {ParseRun.Escape(input)}\n  one buffer: {ours}\n  segments:   {pieces}");
            if (ours.Status == ParseStatus.ProtocolError) errors++;
            else if (ours.Consumed < input.Length) incomplete++;
            if (ours.Commands.Count > 0) withCommands++;
        }
        // The generator must actually reach every outcome, or the fuzz proves little.
        Assert.True(errors > count / 20 && withCommands > count / 5 && incomplete > count / 20,
            $"poor coverage: errors {errors}, with commands {withCommands}, incomplete {incomplete}");
        return $"{count} inputs: {errors} protocol errors, {withCommands} with commands, {incomplete} ending incomplete";
    }
}
