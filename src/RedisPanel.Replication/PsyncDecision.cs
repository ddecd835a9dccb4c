namespace RedisPanel.Replication;

/// <summary>Why a PSYNC was answered the way it was (masterTryPartialResynchronization's branches).</summary>
public enum PsyncOutcome
{
    /// <summary>+CONTINUE: the history matches and the offset lies in the backlog.</summary>
    Continue,
    /// <summary>The replica asked for a full sync (`PSYNC ? -1`): not counted as a failed partial sync.</summary>
    FullResyncRequested,
    /// <summary>The replid matches neither replid nor (replid2 with offset ≤ second_repl_offset).</summary>
    FullResyncIdMismatch,
    /// <summary>No backlog exists.</summary>
    FullResyncNoBacklog,
    /// <summary>The offset is before the backlog's first byte or after master_repl_offset + 1.</summary>
    FullResyncOutOfBacklog,
}

/// <summary>The PSYNC acceptance test of Redis 7.0 as a pure function.</summary>
public static class PsyncDecision
{
    /// <summary>
    /// Decides a `PSYNC requestedId requestedOffset`. <paramref name="backlogFirstByte"/> and
    /// <paramref name="backlogHistLen"/> describe the backlog (ignored when <paramref name="backlogActive"/> is false).
    /// </summary>
    public static PsyncOutcome Decide(string requestedId, long requestedOffset, ReplicationIds ids,
        bool backlogActive, long backlogFirstByte, long backlogHistLen)
    {
        if (requestedId == "?") return PsyncOutcome.FullResyncRequested;
        bool idOk = requestedId == ids.ReplId
            || (requestedId == ids.ReplId2 && requestedOffset <= ids.SecondOffset);
        if (!idOk) return PsyncOutcome.FullResyncIdMismatch;
        if (!backlogActive) return PsyncOutcome.FullResyncNoBacklog;
        // first_byte ≤ offset ≤ first_byte + histlen: the upper bound is master_repl_offset + 1, "nothing to send".
        if (requestedOffset < backlogFirstByte || requestedOffset > backlogFirstByte + backlogHistLen)
            return PsyncOutcome.FullResyncOutOfBacklog;
        return PsyncOutcome.Continue;
    }

    /// <summary>Whether a full resync counts into INFO's sync_partial_err (every refused PSYNC except `?`).</summary>
    public static bool CountsAsPartialError(PsyncOutcome outcome) =>
        outcome is PsyncOutcome.FullResyncIdMismatch or PsyncOutcome.FullResyncNoBacklog or PsyncOutcome.FullResyncOutOfBacklog;
}
