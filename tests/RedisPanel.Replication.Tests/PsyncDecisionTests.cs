namespace RedisPanel.Replication.Tests;

public sealed class PsyncDecisionTests
{
    private static readonly string X = new('a', 40);
    private static readonly string Y = new('b', 40);
    private static readonly string Z = new('c', 40);

    // A backlog holding 1001..1176, current id Y, previous id X valid up to 1100.
    private static readonly ReplicationIds Ids = new(Y, X, 1176, 1100);

    private static PsyncOutcome Decide(string id, long offset, bool backlog = true) =>
        PsyncDecision.Decide(id, offset, Ids, backlog, 1001, 176);

    [Fact] public void QuestionMarkAsksForAFullSync() => Assert.Equal(PsyncOutcome.FullResyncRequested, Decide("?", -1));
    [Fact] public void CurrentIdInsideTheBacklogContinues() => Assert.Equal(PsyncOutcome.Continue, Decide(Y, 1088));
    [Fact] public void CurrentIdAtTheFirstByteContinues() => Assert.Equal(PsyncOutcome.Continue, Decide(Y, 1001));
    [Fact] public void CurrentIdCaughtUpContinuesWithNothingToSend() => Assert.Equal(PsyncOutcome.Continue, Decide(Y, 1177));
    [Fact] public void CurrentIdBeforeTheBacklogIsAFullSync() => Assert.Equal(PsyncOutcome.FullResyncOutOfBacklog, Decide(Y, 1000));
    [Fact] public void CurrentIdPastTheOffsetIsAFullSync() => Assert.Equal(PsyncOutcome.FullResyncOutOfBacklog, Decide(Y, 1178));
    [Fact] public void PreviousIdUpToSecondOffsetContinues() => Assert.Equal(PsyncOutcome.Continue, Decide(X, 1100));
    [Fact] public void PreviousIdPastSecondOffsetIsAMismatch() => Assert.Equal(PsyncOutcome.FullResyncIdMismatch, Decide(X, 1101));
    [Fact] public void UnknownIdIsAMismatch() => Assert.Equal(PsyncOutcome.FullResyncIdMismatch, Decide(Z, 1088));
    [Fact] public void NoBacklogIsAFullSync() => Assert.Equal(PsyncOutcome.FullResyncNoBacklog, Decide(Y, 1088, backlog: false));

    [Fact]
    public void PreviousIdInsideWindowButOutsideBacklogIsAFullSync() =>
        Assert.Equal(PsyncOutcome.FullResyncOutOfBacklog, PsyncDecision.Decide(X, 900, Ids, true, 1001, 176));

    [Fact]
    public void ClearedReplId2NeverMatchesAnAllZeroRequest()
    {
        var fresh = ReplicationIds.Fresh(Y);
        Assert.Equal(PsyncOutcome.FullResyncIdMismatch, PsyncDecision.Decide(ReplicationIds.NoId, 0, fresh, true, 1, 0));
    }

    [Theory]
    [InlineData(PsyncOutcome.Continue, false)]
    [InlineData(PsyncOutcome.FullResyncRequested, false)]
    [InlineData(PsyncOutcome.FullResyncIdMismatch, true)]
    [InlineData(PsyncOutcome.FullResyncNoBacklog, true)]
    [InlineData(PsyncOutcome.FullResyncOutOfBacklog, true)]
    public void OnlyRefusedPartialSyncsCountAsErrors(PsyncOutcome outcome, bool counts) =>
        Assert.Equal(counts, PsyncDecision.CountsAsPartialError(outcome));
}

public sealed class PromotionTests
{
    [Fact]
    public void PromotionShiftsReplIdToReplId2AtOffsetPlusOne()
    {
        var old = new string('f', 40);
        var fresh = new string('6', 40);
        var ids = new ReplicationIds(old, ReplicationIds.NoId, 1118, -1).Promote(fresh);
        // Observed on Redis 7.0 after REPLICAOF NO ONE at offset 1118.
        Assert.Equal(fresh, ids.ReplId);
        Assert.Equal(old, ids.ReplId2);
        Assert.Equal(1118, ids.Offset);
        Assert.Equal(1119, ids.SecondOffset);
    }

    [Fact]
    public void AFormerSiblingThatAppliedEverythingContinuesAfterPromotion()
    {
        // PSYNC2 walk-through: A (id X, 5000) promotes B; C asks B for X at 5001 and continues.
        var x = new string('1', 40);
        var b = new ReplicationIds(x, ReplicationIds.NoId, 5000, -1).Promote(new string('2', 40));
        Assert.Equal(PsyncOutcome.Continue, PsyncDecision.Decide(x, 5001, b, true, 4001, 1000));
        // A node that took writes after the promotion (offset beyond 5001) must fully resync.
        Assert.Equal(PsyncOutcome.FullResyncIdMismatch, PsyncDecision.Decide(x, 5002, b, true, 4001, 1000));
    }

    [Fact]
    public void NewHistoryClearsReplId2()
    {
        var ids = new ReplicationIds(new string('1', 40), new string('2', 40), 10, 5).NewHistory(new string('3', 40));
        Assert.Equal(new ReplicationIds(new string('3', 40), ReplicationIds.NoId, 10, -1), ids);
    }
}
