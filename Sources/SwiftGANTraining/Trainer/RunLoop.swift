/// The loop every run directory shares: train to `steps`, logging every
/// `logEvery` steps, rendering samples every `sampleEvery` and saving a
/// checkpoint every `checkpointEvery` (and all three at the last step);
/// a stop request saves a checkpoint and ends the loop as `.interrupted`.
struct RunLoop {
    var steps: Int
    var logEvery: Int
    var sampleEvery: Int
    var checkpointEvery: Int
    /// Nil on the ranks other than 0 of a data-parallel job (they write nothing).
    var files: RunFiles?

    /// Runs from `step()` to `steps`. `train` takes one step and returns
    /// what `scalars` names for the logs and `progress` reports, or nil when
    /// the step paused part-way on a stop request (then the checkpoint holds
    /// the paused step); `afterStep` runs after the samples and before the
    /// checkpoint (evaluation).
    func run<StepResult>(
        step: () -> Int, train: () throws -> StepResult?, scalars: (StepResult) -> [(String, Float)], render: () throws -> Void,
        save: () throws -> Void, afterStep: (Int) throws -> Void = { _ in }, progress: (StepResult) -> Void, shouldStop: () -> Bool
    ) throws -> TrainingRun.Outcome {
        if step() == 0 && !(files?.isResumed ?? true) { try render() }
        while step() < steps {
            if shouldStop() {
                try save()
                return .interrupted(step: step())
            }
            guard let result = try train() else {
                try save()
                return .interrupted(step: step())
            }
            let current = step()
            let isLast = current == steps
            if current % logEvery == 0 || isLast {
                let named = scalars(result)
                try files?.metrics.append(step: current, named.map { ($0.0, Double($0.1)) })
                try files?.tensorboard.scalars(named, step: current)
            }
            if current % sampleEvery == 0 || isLast { try render() }
            try afterStep(current)
            if current % checkpointEvery == 0 || isLast { try save() }
            progress(result)
        }
        try files?.tensorboard.flush()
        return .completed
    }

    /// Scalars by name, sorted, for the logs.
    static func sorted(_ scalars: [String: Float]) -> [(String, Float)] {
        scalars.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
