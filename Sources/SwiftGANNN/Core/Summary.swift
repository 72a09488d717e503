import SwiftGANTensor

/// Records each module's output shape while a summary's forward pass runs.
final class SummaryRecorder: @unchecked Sendable {
    @TaskLocal static var current: SummaryRecorder?

    struct Row {
        var module: Module
        var outputShape: [Int]
    }

    var rows: [Row] = []

    func record(module: Module, output: Tensor) {
        rows.append(Row(module: module, outputShape: output.shape))
    }
}

extension Module {
    /// A table of layers, output shapes and parameter counts, computed by
    /// running `input` through the model in evaluation mode without
    /// gradients (like Keras' `summary()` and `torchsummary`).
    ///
    /// - Parameter input: an example batch, e.g. `[1, 100]` noise for a generator.
    public func summary(input: Tensor) -> String {
        summary { _ = self(input) }
    }

    /// The same table for any forward computation `body` runs (for modules
    /// with extra inputs, such as conditional generators).
    public func summary(running body: () -> Void) -> String {
        let recorder = SummaryRecorder()
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var names: [ObjectIdentifier: String] = [:]
        for (name, module) in namedModules() { names[ObjectIdentifier(module)] = name.isEmpty ? "(model)" : name }
        withoutGradients {
            SummaryRecorder.$current.withValue(recorder, operation: body)
        }
        var table: [[String]] = [["Layer", "Type", "Output shape", "Parameters"]]
        for row in recorder.rows {
            let name = names[ObjectIdentifier(row.module)] ?? "?"
            let count = row.module.localParameters.reduce(0) { $0 + $1.parameter.count }
            table.append([name, String(describing: type(of: row.module)), "\(row.outputShape)", count.formatted()])
        }
        let widths = (0..<4).map { column in table.map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == 3
                    ? String(repeating: " ", count: widths[3] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 6)
        var lines = [line(table[0]), rule]
        lines += table.dropFirst().map(line)
        let trainable = parameterCount
        let bufferCount = namedBuffers().reduce(0) { $0 + $1.buffer.value.count }
        lines += [rule, "Trainable parameters: \(trainable.formatted())", "Buffers: \(bufferCount.formatted()) values"]
        return lines.joined(separator: "\n")
    }
}

extension Int {
    /// `1234567` → `1,234,567`.
    package func formatted() -> String {
        let digits = String(Swift.abs(self))
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return self < 0 ? "-" + result : result
    }
}
